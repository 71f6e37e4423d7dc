"""The real client address behind the installation's own proxies (``TRUSTED_PROXIES``).

``REMOTE_ADDR`` is the peer that connected: behind a TLS proxy, the proxy, shared by every client. The
proxy appends the peer it saw to ``X-Forwarded-For``; a client can put anything before that. So the header
is read only when the connecting peer is a trusted proxy, from the right, skipping trusted proxies, and the
first address that is not one is the client. With no trusted proxies (the default) the header is ignored.

The sign-in limit (django-axes, ``AXES_CLIENT_IP_CALLABLE``) and the API's throttles key on it. Why not
django-ipware: its trusted-proxy list is matched against the header's entries rather than the connecting
peer, and answers None (no address at all) when they do not match, which would put every client in one
bucket; this rule is the few lines below.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy.strip())


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def client_address(request: HttpRequest) -> str:
    peer = request.META.get("REMOTE_ADDR", "") or "unknown"
    networks = trusted_networks()
    if not networks or not _is_trusted(peer, networks):
        return peer
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # garbage where an address should be: the proxy did not write it, trust nothing
    return peer


def axes_client_address(request: HttpRequest) -> str | None:
    """For django-axes, which stores a real address or none (a request without a peer, e.g. a test client)."""
    address = client_address(request)
    return None if address == "unknown" else address


def signin_username(request: HttpRequest, credentials: dict | None) -> str:
    """The username a failed sign-in counts against: trimmed and case-folded, so "Ana" and "ana " share a count."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(username).strip().casefold()
