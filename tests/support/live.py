"""A real WebSocket client speaking graphql-transport-ws (the `websockets` library) to a
running server's /graphql: sign in with connection_init, subscribe, read what arrives."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

PROTOCOL = Subprotocol("graphql-transport-ws")

DASHBOARD = """
subscription {
  dashboardEvents {
    eventId kind occurredAt
    session { id status startsAt }
    intakeForm { id status }
    invoice { id status }
  }
}
"""


class LiveSocket:
    def __init__(self, base_url: str) -> None:
        url = base_url.replace("http://", "ws://", 1) + "/graphql"
        self._stack = contextlib.ExitStack()
        self.ws: ClientConnection = self._stack.enter_context(
            connect(url, subprotocols=[PROTOCOL], open_timeout=15))

    def init(self, payload: dict[str, Any] | None) -> dict[str, Any]:
        """connection_init; the server's answer (connection_ack)."""
        self.send({"type": "connection_init", "payload": payload or {}})
        return self.receive(timeout=15)

    def subscribe(self, query: str = DASHBOARD, operation_id: str = "1") -> dict[str, Any]:
        """Subscribe, and wait for the first message (SUBSCRIBED: from now on it hears all)."""
        self.send({"id": operation_id, "type": "subscribe", "payload": {"query": query}})
        return self.receive(timeout=15)

    def send(self, message: dict[str, Any]) -> None:
        self.ws.send(json.dumps(message))

    def receive(self, timeout: float = 20) -> dict[str, Any]:
        return json.loads(self.ws.recv(timeout=timeout))  # type: ignore[no-any-return]

    def next_event(self, timeout: float = 20) -> dict[str, Any]:
        """The next dashboard event (a `next` message's data)."""
        message = self.receive(timeout)
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message["payload"]
        return message["payload"]["data"]["dashboardEvents"]  # type: ignore[no-any-return]

    def events(self, count: int, timeout: float = 20) -> list[dict[str, Any]]:
        return [self.next_event(timeout) for _ in range(count)]

    def close_code(self, timeout: float = 20) -> tuple[int | None, str | None]:
        """Read until the server closes the socket; its close code and reason."""
        try:
            while True:
                self.ws.recv(timeout=timeout)
        except ConnectionClosed as closed:
            frame = closed.rcvd
            return (frame.code, frame.reason) if frame else (None, None)

    def close(self) -> None:
        self._stack.close()


def signed_in_socket(base_url: str, token: str) -> LiveSocket:
    """A socket signed in with `token`, subscribed to the dashboard and listening."""
    socket = LiveSocket(base_url)
    assert socket.init({"authorization": f"Bearer {token}"}) == {"type": "connection_ack"}
    first = socket.subscribe()
    assert first["type"] == "next", first
    assert first["payload"]["data"]["dashboardEvents"]["kind"] == "SUBSCRIBED", first
    return socket


def kinds(events: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """(kind, subject id) of each event."""
    return [(e["kind"], (e["session"] or e["intakeForm"] or e["invoice"] or {}).get("id"))
            for e in events]
