"""Staff of several practices: an owner invites a practitioner by email, and only accepting
the emailed link (single use, 7 days) makes them staff. A person who already signs in
accepts with their own password and keeps one sign-in with two memberships; under each
membership's token they see that practice only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.support.appointments import ADD_CARD, booked, iso, next_monday
from tests.support.clients import create_client, create_relationship, signed_in_client
from tests.support.clock import TestClock
from tests.support.graphql import (
    ADD_PRACTITIONER,
    PASSWORD,
    GraphQLClient,
    Staff,
    add_practitioner,
    register_practice,
    unique_email,
)
from tests.support.mailbox import Mailbox
from tests.support.server import RunningServer
from tests.support.staff import (
    ACCEPT_PRACTITIONER,
    REVOKE_INVITE,
    accept_staff,
    invitations,
    invite_practitioner,
    invited_token,
    sent_invitations,
    staff_token,
)

SIGN_IN = """
mutation SignIn($input: SignInInput!) {
  signIn(input: $input) {
    accessToken viewer { role practice { id } memberships { id role practiceName current } }
    userErrors { field code message }
  }
}
"""
SWITCH = """
mutation Switch($input: SwitchMembershipInput!) {
  switchMembership(input: $input) {
    accessToken viewer { role practice { id } practitioner { id } client { id } }
    userErrors { field code message }
  }
}
"""
STAFF_VIEW = """
query View {
  viewer { role practice { id name practitioners { id } } practitioner { id } }
  clients(includeInactive: true, first: 50) { totalCount edges { node { id } } }
}
"""
NODE = "query Node($id: ID!) { node(id: $id) { id } }"
PRACTITIONERS = """
query { viewer { practice { practitioners { id email invitation { email } } } } }
"""
INVALID_LINK = [{
    "field": ["input", "token"], "code": "INVALID_TOKEN",
    "message": "This practitioner invitation link is not valid: it was already used, "
               "withdrawn or replaced, or has expired. Ask the practice for a new one."}]
REFUSED = {"accessToken": None, "viewer": None}


def sign_in(client: GraphQLClient, email: str, password: str = PASSWORD) -> Any:
    return client.data(SIGN_IN, {"input": {"email": email, "password": password}})["signIn"]


def memberships(client: GraphQLClient, email: str) -> list[tuple[str, str, bool]]:
    return [(m["role"], m["practiceName"], m["current"])
            for m in sign_in(client, email)["viewer"]["memberships"]]


def seen(client: GraphQLClient, token: str, ids: list[str]) -> list[Any]:
    """node(id:) of each id under the token: null for what it may not see."""
    return [client.data(NODE, {"id": given}, token=token)["node"] for given in ids]


def switch(client: GraphQLClient, token: str, membership_id: str) -> Any:
    answer = client.data(SWITCH, {"input": {"membershipId": membership_id}}, token=token)
    return answer["switchMembership"]


def practice_with_a_session(
    client: GraphQLClient, staff: Staff, mailbox: Mailbox, clock: TestClock
) -> tuple[str, str]:
    """A signed-in client of the staff's practice with a session booked: (client, session)."""
    client_id, _, client_token = signed_in_client(client, staff, mailbox)
    card = client.data(ADD_CARD, {"input": {"token": "tok_visa"}}, token=client_token)
    assert card["addPaymentMethod"]["userErrors"] == []
    relationship = create_relationship(client, staff, [client_id])["id"]
    starts = iso(next_monday(clock()))
    return client_id, booked(client, staff.token, relationshipId=relationship,
                             startsAt=starts)["id"]


def test_an_owner_of_one_practice_accepts_staff_of_another_and_sees_each_apart(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, clock: TestClock,
    server: RunningServer,
) -> None:
    # given the owner of Calm Waters, with a client and a session there
    first_client, first_session = practice_with_a_session(client, owner, mailbox, clock)
    # and a second practice with a client of its own
    second = register_practice(client, practiceName="Second Practice", name="Bo Owner")
    second_client = create_client(client, second, "Bea", "Second", email=unique_email())["id"]

    # when the second practice adds the owner's email as a practitioner, with a password
    added = client.data(ADD_PRACTITIONER, {"input": {
        "name": "Ada Visiting", "email": owner.email, "password": "the second's guess"}},
        token=second.token)["addPractitioner"]

    # then it is no longer EMAIL_TAKEN: the practitioner is on file, invited
    assert added["userErrors"] == []
    assert added["practitioner"] == {"id": added["practitioner"]["id"], "name": "Ada Visiting",
                                     "email": owner.email, "timezone": "Europe/London"}
    practitioner_id = added["practitioner"]["id"]
    # and no access was granted: one membership, and the second's password opens nothing
    assert memberships(client, owner.email) == [("OWNER", "Calm Waters Therapy", True)]
    assert sign_in(client, owner.email, "the second's guess")["accessToken"] is None
    # and the person is emailed an invitation to accept with the password they have
    [invitation] = invitations(mailbox, owner.email)
    assert invitation.subject == "Second Practice invites you to join as a practitioner"
    assert "Hello Ada Visiting," in invitation.text
    assert f"You already sign in to Caseload as {owner.email}: accept with that password" in (
        invitation.text)
    assert "The link works once and expires on" in invitation.text
    token = staff_token(invitation)

    # when they accept with a wrong password
    wrong = accept_staff(client, token, "not my password at all")

    # then it is refused, saying which password is wanted, and nothing changed
    assert wrong == {**REFUSED, "userErrors": [{
        "field": ["input", "password"], "code": "INVALID_CREDENTIALS",
        "message": "This email already signs in to Caseload: give that account's password to "
                   "join this practice with it."}]}
    assert memberships(client, owner.email) == [("OWNER", "Calm Waters Therapy", True)]

    # when they accept with their own password
    accepted = accept_staff(client, token)

    # then they are signed in as the second practice's practitioner, with both memberships
    assert accepted["userErrors"] == []
    assert accepted["viewer"]["role"] == "PRACTITIONER"
    assert accepted["viewer"]["practice"] == {"id": second.practice_id, "name": "Second Practice"}
    assert accepted["viewer"]["practitioner"] == {"id": practitioner_id, "name": "Ada Visiting"}
    assert [(m["role"], m["practiceName"], m["current"])
            for m in accepted["viewer"]["memberships"]] == [
        ("OWNER", "Calm Waters Therapy", False), ("PRACTITIONER", "Second Practice", True)]
    # and signing in answers both, leading to the first
    signed_in = sign_in(client, owner.email)
    assert signed_in["viewer"]["practice"] == {"id": owner.practice_id}
    [first_membership, second_membership] = signed_in["viewer"]["memberships"]
    assert (second_membership["role"], second_membership["practiceName"]) == (
        "PRACTITIONER", "Second Practice")

    # when they switch to the second practice and back
    to_second = switch(client, signed_in["accessToken"], second_membership["id"])
    back = switch(client, to_second["accessToken"], first_membership["id"])

    # then each token sees its own practice, and nothing of the other's
    assert to_second["viewer"] == {"role": "PRACTITIONER", "practice": {"id": second.practice_id},
                                   "practitioner": {"id": practitioner_id}, "client": None}
    assert back["viewer"] == {"role": "OWNER", "practice": {"id": owner.practice_id},
                              "practitioner": {"id": owner.practitioner_id}, "client": None}
    under_second = client.data(STAFF_VIEW, token=to_second["accessToken"])
    assert under_second["viewer"]["practice"]["id"] == second.practice_id
    assert under_second["viewer"]["practice"]["practitioners"] == [
        {"id": second.practitioner_id}, {"id": practitioner_id}]
    assert under_second["clients"] == {"totalCount": 1,
                                       "edges": [{"node": {"id": second_client}}]}
    assert seen(client, to_second["accessToken"], [
        first_client, first_session, owner.practitioner_id, owner.practice_id]) == [None] * 4
    under_first = client.data(STAFF_VIEW, token=back["accessToken"])
    assert [e["node"]["id"] for e in under_first["clients"]["edges"]] == [first_client]
    assert seen(client, back["accessToken"], [
        second_client, practitioner_id, second.practitioner_id, second.practice_id]) == [None] * 4
    assert seen(client, back["accessToken"], [first_session]) == [{"id": first_session}]
    # and the invitation is spent: the second's owner sees none open, the link works no more
    assert accept_staff(client, token) == {**REFUSED, "userErrors": INVALID_LINK}
    listed = client.data(PRACTITIONERS, token=second.token)["viewer"]["practice"]
    assert listed["practitioners"][1] == {"id": practitioner_id, "email": owner.email,
                                          "invitation": None}
    # and no "you have been added" email with someone else's password went out
    server.drain()
    assert [m.subject for m in mailbox.to(owner.email)
            if "added" in m.subject] == []


def test_a_client_of_one_practice_becomes_staff_of_another(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    # given a client of Calm Waters who signs in, invited as staff by a second practice
    first_client, email, client_token = signed_in_client(client, owner, mailbox)
    second = register_practice(client, practiceName="Second Practice")
    practitioner_id, token = invited_token(client, second, mailbox, email, sessionPrice="65.00")

    # when they accept with their client sign-in's password
    accepted = accept_staff(client, token)

    # then they are the second practice's practitioner, and still Calm Waters' client
    assert accepted["userErrors"] == []
    assert accepted["viewer"]["practitioner"]["id"] == practitioner_id
    assert memberships(client, email) == [
        ("CLIENT", "Calm Waters Therapy", True), ("PRACTITIONER", "Second Practice", False)]
    # and under the staff token nothing of Calm Waters is visible, their own record included
    staff_view = client.data(STAFF_VIEW, token=accepted["accessToken"])
    assert staff_view["clients"] == {"totalCount": 0, "edges": []}
    assert seen(client, accepted["accessToken"], [first_client, owner.practitioner_id]) == [
        None, None]
    # and under the client token, nothing of the second practice
    assert seen(client, client_token, [practitioner_id, second.practitioner_id]) == [None, None]
    # and switching from the client membership to the staff one needs no password
    signed_in = sign_in(client, email)
    staff = switch(client, signed_in["accessToken"], signed_in["viewer"]["memberships"][1]["id"])
    assert staff["viewer"]["role"] == "PRACTITIONER"
    assert staff["viewer"]["practice"] == {"id": second.practice_id}


def test_a_new_person_chooses_a_password_when_accepting(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    # given an invitation to an email with no sign-in
    email = unique_email("newcomer")
    practitioner_id, token = invited_token(client, owner, mailbox, email)
    [invitation] = sent_invitations(mailbox, email)
    assert f"Accept and choose the password you will sign in with as {email}." in (
        invitation.text)
    # and nobody signs in with it yet
    assert sign_in(client, email)["accessToken"] is None

    # when they give a weak password, then a good one
    weak = accept_staff(client, token, "short")
    accepted = accept_staff(client, token)

    # then the weak one is refused and the link still works
    assert [(e["field"], e["code"]) for e in weak["userErrors"]] == [
        (["input", "password"], "INVALID")]
    assert accepted["userErrors"] == []
    assert accepted["viewer"]["practitioner"] == {"id": practitioner_id, "name": "Sam Staff"}
    assert memberships(client, email) == [("PRACTITIONER", "Calm Waters Therapy", True)]


def test_used_expired_withdrawn_replaced_and_forged_links_are_refused(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, clock: TestClock
) -> None:
    # given four invitations: one replaced by a newer one, one withdrawn, one left to expire
    replaced_email, withdrawn_email, late_email = (unique_email() for _ in range(3))
    practitioner_id, replaced = invited_token(client, owner, mailbox, replaced_email)
    same_id, newer = invited_token(client, owner, mailbox, replaced_email)
    withdrawn_id, withdrawn = invited_token(client, owner, mailbox, withdrawn_email)
    _, late = invited_token(client, owner, mailbox, late_email)
    revoked = client.data(REVOKE_INVITE, {"input": {"practitionerId": withdrawn_id}},
                          token=owner.token)["revokePractitionerInvite"]
    assert revoked["userErrors"] == [] and revoked["practitioner"]["invitation"] is None

    # then re-inviting kept one practitioner, and only the newer link works
    assert same_id == practitioner_id
    listed = client.data(PRACTITIONERS, token=owner.token)["viewer"]["practice"]
    assert [p["email"] for p in listed["practitioners"]].count(replaced_email) == 1
    assert accept_staff(client, replaced) == {**REFUSED, "userErrors": INVALID_LINK}
    assert accept_staff(client, newer)["userErrors"] == []
    assert accept_staff(client, newer) == {**REFUSED, "userErrors": INVALID_LINK}  # used
    # and the withdrawn and forged links open nothing
    assert accept_staff(client, withdrawn) == {**REFUSED, "userErrors": INVALID_LINK}
    assert accept_staff(client, "made-up-token") == {**REFUSED, "userErrors": INVALID_LINK}
    assert sign_in(client, withdrawn_email)["accessToken"] is None
    # and a link expires after seven days
    clock.advance(timedelta(days=7))
    assert accept_staff(client, late) == {**REFUSED, "userErrors": INVALID_LINK}
    assert sign_in(client, late_email)["accessToken"] is None


def test_who_may_invite_and_whom(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, server: RunningServer
) -> None:
    # given a practitioner of the practice, a client who signs in here, and another practice
    colleague = add_practitioner(client, owner)
    _, client_email, _ = signed_in_client(client, owner, mailbox)
    other = register_practice(client, practiceName="Other Practice")
    theirs, _ = invited_token(client, other, mailbox, unique_email())

    def errors(payload: dict[str, Any]) -> list[tuple[list[str] | None, str]]:
        return [(e["field"], e["code"]) for e in payload["userErrors"]]

    # then a practitioner may not invite, nor revoke
    assert errors(invite_practitioner(client, colleague, unique_email())) == [
        (None, "NOT_PERMITTED")]
    # and emails that already sign in to this practice are EMAIL_TAKEN, staff or client
    assert errors(invite_practitioner(client, owner, colleague.email)) == [
        (["input", "email"], "EMAIL_TAKEN")]
    assert errors(invite_practitioner(client, owner, client_email)) == [
        (["input", "email"], "EMAIL_TAKEN")]
    # and bad input is named
    assert errors(invite_practitioner(client, owner, "nope", name=" ", timezone="Nowhere")) == [
        (["input", "name"], "INVALID"), (["input", "email"], "INVALID"),
        (["input", "timezone"], "INVALID")]

    def revoke(practitioner_id: str, staff: Staff = owner) -> Any:
        return client.data(REVOKE_INVITE, {"input": {"practitionerId": practitioner_id}},
                           token=staff.token)["revokePractitionerInvite"]

    assert errors(revoke(theirs)) == [(["input", "practitionerId"], "NOT_FOUND")]
    assert errors(revoke(colleague.practitioner_id)) == [
        (["input", "practitionerId"], "INVALID_STATE")]
    assert errors(revoke(owner.practitioner_id, colleague)) == [(None, "NOT_PERMITTED")]
    # and none of the refusals sent an invitation
    server.drain()
    for email in (colleague.email, client_email):
        assert sent_invitations(mailbox, email) == []


def test_only_the_owner_sees_an_invitation(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    colleague = add_practitioner(client, owner)
    email = unique_email("invited")
    invited_token(client, owner, mailbox, email)

    def seen_by(staff: Staff) -> list[Any]:
        practice = client.data(PRACTITIONERS, token=staff.token)["viewer"]["practice"]
        return [p["invitation"] for p in practice["practitioners"] if p["email"] == email]

    assert seen_by(owner) == [{"email": email}]
    assert seen_by(colleague) == [None]


def test_two_acceptances_of_one_link_make_one_membership(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    email = unique_email("racer")
    _, token = invited_token(client, owner, mailbox, email)
    variables = {"input": {"token": token, "password": PASSWORD}}
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(lambda _: client.data(ACCEPT_PRACTITIONER, variables)[
            "acceptPractitionerInvite"], range(2)))
    assert sorted(a["accessToken"] is not None for a in answers) == [False, True]
    assert memberships(client, email) == [("PRACTITIONER", "Calm Waters Therapy", True)]


def test_wrong_passwords_on_an_invitation_count_towards_the_sign_in_pause(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox
) -> None:
    # given an invitation to an email that signs in elsewhere
    other = register_practice(client, practiceName="Second Practice")
    _, token = invited_token(client, other, mailbox, owner.email)

    # when wrong passwords are tried on it, four times (the suite's server pauses after four)
    for _ in range(4):
        wrong = accept_staff(client, token, "guessing and guessing")
        assert [e["code"] for e in wrong["userErrors"]] == ["INVALID_CREDENTIALS"]

    # then the right one waits too, as signing in does, and no membership was added
    paused = client.execute(ACCEPT_PRACTITIONER, {"input": {"token": token,
                                                           "password": PASSWORD}})
    assert [e["extensions"]["code"] for e in paused.errors] == ["RATE_LIMITED"]
    assert client.execute(SIGN_IN, {"input": {"email": owner.email, "password": PASSWORD}})\
        .error_codes == ["RATE_LIMITED"]
    mine = client.data("{ viewer { memberships { practiceName } } }", token=owner.token)
    assert mine["viewer"]["memberships"] == [{"practiceName": "Calm Waters Therapy"}]


def test_an_invited_practitioner_is_sent_the_practices_sessions_only_once_joined(
    client: GraphQLClient, owner: Staff, mailbox: Mailbox, clock: TestClock,
    server: RunningServer,
) -> None:
    # given a practitioner invited (maybe at a mistyped address), with a session booked
    email = unique_email("invited")
    practitioner_id, token = invited_token(client, owner, mailbox, email)
    client_id, client_email, client_token = signed_in_client(client, owner, mailbox)
    card = client.data(ADD_CARD, {"input": {"token": "tok_visa"}}, token=client_token)
    assert card["addPaymentMethod"]["userErrors"] == []
    relationship = create_relationship(client, owner, [client_id],
                                       practitionerId=practitioner_id)["id"]
    monday = next_monday(clock())
    booked(client, owner.token, relationshipId=relationship, startsAt=iso(monday))
    server.drain()

    # then the client hears of it, the invited address only of the invitation
    assert any("Your session with Sam Staff is booked" in m.subject
               for m in mailbox.to(client_email)), [m.subject for m in mailbox.to(client_email)]
    assert [m.subject for m in mailbox.to(email)] == [
        "Calm Waters Therapy invites you to join as a practitioner"]

    # when they accept, the next session is theirs to hear of too
    assert accept_staff(client, token)["userErrors"] == []
    booked(client, owner.token, relationshipId=relationship,
           startsAt=iso(monday + timedelta(days=1)))
    server.drain()
    assert ["New session: Casey Signed" in m.subject for m in mailbox.to(email)] == [
        False, True]
