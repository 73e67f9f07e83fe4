"""The client address every later layer sees (`scope["client"]`): the connection's peer, or,
when the peer is a proxy the operator trusts, the right-most hop of `Forwarded` (else
`X-Forwarded-For`) that no trusted proxy added. Anyone can send those headers, so they are
read only from a trusted peer, and only the hops trusted proxies appended count."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """"10.0.0.0/8, 192.0.2.7" (addresses and CIDR ranges, comma-separated)."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False)
                 for part in text.split(",") if part.strip())


def client_address(peer: str, headers: dict[bytes, bytes], trusted: Iterable[Network]) -> str:
    networks = tuple(trusted)
    if not _trusted(peer, networks):
        return peer
    hops = _hops(headers)
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop
    return hops[0] if hops else peer


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:  # a dual-stack socket's
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)


def _hops(headers: dict[bytes, bytes]) -> list[str]:
    forwarded = headers.get(b"forwarded")
    if forwarded is not None:
        return [_forwarded_for(element) for element in forwarded.decode("latin-1").split(",")]
    chain = headers.get(b"x-forwarded-for", b"").decode("latin-1")
    return [_bare(hop) for hop in chain.split(",") if hop.strip()]


def _forwarded_for(element: str) -> str:
    """`for=192.0.2.60;proto=https` or `for="[2001:db8::1]:4711"` (RFC 7239)."""
    for pair in element.split(";"):
        name, _, value = pair.strip().partition("=")
        if name.lower() == "for":
            return _bare(value)
    return "unknown"


def _bare(hop: str) -> str:
    """An address without quotes, IPv6 brackets or a port."""
    hop = hop.strip().strip('"')
    if hop.startswith("["):
        return hop[1:].partition("]")[0]
    if hop.count(":") == 1:
        return hop.partition(":")[0]
    return hop


class ClientAddressMiddleware:
    def __init__(self, app: ASGIApp, *, trusted_proxies: tuple[Network, ...]) -> None:
        self.app = app
        self.trusted = trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.trusted and scope.get("client"):
            peer = scope["client"][0]
            address = client_address(peer, _joined(scope["headers"]), self.trusted)
            if address != peer:
                scope = {**scope, "client": (address, 0)}
        await self.app(scope, receive, send)


def _joined(raw: list[tuple[bytes, bytes]]) -> dict[bytes, bytes]:
    """Repeated headers as one comma-separated value, in the order they came."""
    headers: dict[bytes, bytes] = {}
    for name, value in raw:
        headers[name] = headers[name] + b"," + value if name in headers else value
    return headers
