"""GraphiQL as a new user meets it: served by Caseload from its own package, working in a
browser that cannot reach anything but this machine."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from playwright.sync_api import Page, Route

from tests.support.graphql import GraphQLClient, Staff
from tests.support.server import RunningServer
from tests.widgets.test_widget_browser import chromium_page

QUERY = "{ viewer { role } }"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def offline(page: Page) -> list[str]:
    """Every request not to this machine is refused; the list is what was tried."""
    refused: list[str] = []

    def only_local(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            refused.append(url)
            route.abort("internetdisconnected")

    page.route("**/*", only_local)
    return refused


def editor(page: Page, which: str) -> str:
    """The CodeMirror editor inside the element matched by `which`."""
    return f"document.querySelector('{which} .CodeMirror').CodeMirror"


def test_graphiql_runs_a_query_with_a_bearer_token_offline(
    server: RunningServer, owner: Staff
) -> None:
    # given a browser that can reach nothing but this machine
    with chromium_page() as page:
        refused = offline(page)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))

        # when a new user opens /graphql
        page.goto(server.base_url + "/graphql")

        # then the editor is there, with the Headers tab open and ready for a token
        page.wait_for_selector(".graphiql-query-editor .CodeMirror", timeout=30_000)
        headers_editor = editor(page, ".graphiql-editor-tool .graphiql-editor:not(.hidden)")
        page.locator(".graphiql-editor-tool").get_by_text("Bearer").wait_for()
        assert json.loads(page.evaluate(f"{headers_editor}.getValue()")) == {
            "Authorization": "Bearer "}

        # when they put their token after "Bearer " and run `{ viewer { role } }`
        headers = json.dumps({"Authorization": f"Bearer {owner.token}"})
        page.evaluate(f"text => {headers_editor}.setValue(text)", headers)
        page.evaluate(f"text => {editor(page, '.graphiql-query-editor')}.setValue(text)", QUERY)
        page.click(".graphiql-execute-button")

        # then the answer shows their role
        answer_shown = page.locator(".graphiql-response").get_by_text("OWNER")
        answer_shown.wait_for(timeout=30_000)
        answer = json.loads(page.evaluate(f"{editor(page, '.graphiql-response')}.getValue()"))
        assert answer["data"] == {"viewer": {"role": "OWNER"}}

    # and nothing was fetched from outside, and the page ran without a script error
    assert refused == []
    assert errors == []


def test_the_graphiql_page_allows_scripts_from_caseload_only(client: GraphQLClient) -> None:
    # when the page and one of its scripts are fetched
    page = client.http.get("/graphql", headers={"Accept": "text/html"})
    script = client.http.get("/graphiql/graphiql.min.js")

    # then the page names no other host, and its policy runs scripts from this origin only
    assert page.status_code == 200
    assert "https://" not in page.text and "http://" not in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert script.status_code == 200
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert client.http.get("/graphiql/../settings.py").status_code == 404
    assert client.http.get("/graphiql/VERSIONS").status_code == 404
