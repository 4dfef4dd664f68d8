"""Behind a reverse proxy: the client's address and scheme from forwarded headers, believed
only when the connection comes from a trusted proxy (`TADRIB_TRUSTED_PROXIES`)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(items: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in items)


def _trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(peer: str, forwarded_for: Sequence[str], trusted: Sequence[Network]) -> str:
    """The first address, from the right, that is not a trusted proxy.

    Each proxy appends the address it saw to X-Forwarded-For, so entries right of the last
    untrusted one were written by our proxies; entries left of it are whatever the client sent.
    """
    if not _trusted(peer, trusted):
        return peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    address = peer
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return address  # not an address: the proxy to its right is the last one we know
        address = hop
        if not _trusted(hop, trusted):
            return hop
    return address


def forwarded_scheme(peer: str, proto: str | None, trusted: Sequence[Network]) -> str | None:
    """The scheme the trusted proxy was reached with, or None to keep the connection's."""
    if proto is None or not _trusted(peer, trusted):
        return None
    last = proto.split(",")[-1].strip().lower()
    return last if last in ("http", "https") else None


def trust_proxies(app: ASGIApp, trusted: Sequence[Network]) -> ASGIApp:
    """`app` seeing the forwarded client and scheme when the peer is trusted; with no trusted
    proxy, `app` itself: forwarded headers then change nothing."""
    if not trusted:
        return app

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] == ScopeType.HTTP and client:  # the app has no websockets
            peer = client[0]
            named = [(k, v.decode("latin-1")) for k, v in scope["headers"]]
            forwarded = [v for k, v in named if k == b"x-forwarded-for"]
            proto = next((v for k, v in named if k == b"x-forwarded-proto"), None)
            scope = {**scope, "client": (client_address(peer, forwarded, trusted), 0)}
            scheme = forwarded_scheme(peer, proto, trusted)
            if scheme is not None:
                scope["scheme"] = scheme
        await app(scope, receive, send)

    return handle
