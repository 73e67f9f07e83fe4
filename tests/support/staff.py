"""Helpers for staff invitations: invite a practitioner and read the link's token."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import unquote

from tests.support.graphql import PASSWORD, GraphQLClient, Staff
from tests.support.mailbox import Mailbox, Received

ERRORS = "userErrors { field code message }"
PRACTITIONER = "practitioner { id name email invitation { email sentAt expiresAt } }"

INVITE_PRACTITIONER = f"""
mutation Invite($input: InvitePractitionerInput!) {{
  invitePractitioner(input: $input) {{ {PRACTITIONER} {ERRORS} }}
}}
"""
REVOKE_INVITE = f"""
mutation Revoke($input: RevokePractitionerInviteInput!) {{
  revokePractitionerInvite(input: $input) {{ {PRACTITIONER} {ERRORS} }}
}}
"""
ACCEPT_PRACTITIONER = f"""
mutation Accept($input: AcceptPractitionerInviteInput!) {{
  acceptPractitionerInvite(input: $input) {{
    accessToken
    viewer {{ role practice {{ id name }} practitioner {{ id name }} client {{ id }}
             memberships {{ id role practiceName current }} }}
    {ERRORS}
  }}
}}
"""
SUBJECT = "invites you to join as a practitioner"
_LINK = re.compile(r"/staff/accept-invite\?token=(\S+)")


def invite_practitioner(
    client: GraphQLClient, owner: Staff, email: str, **values: Any
) -> dict[str, Any]:
    payload = client.data(INVITE_PRACTITIONER, {"input": {
        "name": "Sam Staff", "email": email, **values}}, token=owner.token)
    return payload["invitePractitioner"]  # type: ignore[no-any-return]


def sent_invitations(mailbox: Mailbox, email: str) -> list[Received]:
    return [r for r in mailbox.to(email) if r.subject.endswith(SUBJECT)]


def invitations(mailbox: Mailbox, email: str, count: int = 1) -> list[Received]:
    """The staff invitations sent to `email`, picked by subject: other emails to the address
    arrive in any order."""
    deadline = time.monotonic() + 15
    while len(found := sent_invitations(mailbox, email)) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {count} staff invitation(s) to {email}, "
                                 f"got {len(found)}")
        time.sleep(0.02)
    return found


def staff_token(received: Received) -> str:
    match = _LINK.search(received.text)
    assert match, received.text
    return unquote(match.group(1))


def invited_token(client: GraphQLClient, owner: Staff, mailbox: Mailbox, email: str,
                  **values: Any) -> tuple[str, str]:
    """Invite `email` and read the new link's token: (practitioner id, token)."""
    before = len(sent_invitations(mailbox, email))
    payload = invite_practitioner(client, owner, email, **values)
    assert payload["userErrors"] == [], payload
    return payload["practitioner"]["id"], staff_token(
        invitations(mailbox, email, before + 1)[-1])


def accept_staff(client: GraphQLClient, token: str, password: str = PASSWORD) -> Any:
    payload = client.data(ACCEPT_PRACTITIONER, {"input": {"token": token, "password": password}})
    return payload["acceptPractitionerInvite"]
