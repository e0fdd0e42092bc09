"""Which URLs a webhook may call.

Every mode: ``http`` or ``https`` only, a host, no user name or password in the URL,
no fragment, at most 2,000 characters.

Production mode (``DOCUFLOW_PRODUCTION=1``) also refuses, to avoid server-side request
forgery, any host that is or resolves to an address that is not globally routable:
loopback, private (RFC 1918, ULA), link-local (cloud metadata at 169.254.169.254),
carrier-grade NAT, multicast, reserved or unspecified. ``DOCUFLOW_WEBHOOK_ALLOWLIST``
names host names or networks (CIDR) that are allowed anyway. The check runs when an
endpoint is saved (so a bad URL is a 422) and again at each attempt, and the attempt
connects to the very address that was checked, so a DNS answer that changes between
the check and the connection (DNS rebinding) reaches nothing private.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from docuflow.webhooks import conf

MAX_URL_LENGTH = 2000
SCHEMES = ("http", "https")


class URLRefused(ValueError):
    pass


def parse(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an acceptable URL; ``URLRefused`` otherwise."""
    if not isinstance(url, str) or not url:
        raise URLRefused("Enter a URL.")
    if len(url) > MAX_URL_LENGTH:
        raise URLRefused(f"A URL has at most {MAX_URL_LENGTH} characters.")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise URLRefused("A URL cannot contain spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise URLRefused("This is not a valid URL.") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise URLRefused("Only http and https URLs are allowed.")
    if "@" in parts.netloc:
        raise URLRefused("A webhook URL cannot hold a user name or password.")
    if parts.fragment or url.endswith("#"):
        raise URLRefused("A webhook URL cannot have a fragment (#…).")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise URLRefused("The URL has no host.")
    return scheme, host, port or (443 if scheme == "https" else 80)


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _allowed(host: str, address: str) -> bool:
    hosts, networks = conf.allowlist()
    if host.lower() in hosts:
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if any(ip in network for network in networks if network.version == ip.version):
        return True
    return _public(ip)


def resolve(host: str, port: int) -> list[str]:
    """The host's addresses, in the resolver's order (an IP literal is itself)."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for info in infos:
        address = info[4][0]
        if address not in seen:
            seen.append(address)
    return seen


def check_addresses(host: str, addresses: list[str]) -> None:
    """In production mode, refuse when any address may not be reached."""
    if not conf.production():
        return
    for address in addresses:
        if not _allowed(host, address):
            raise URLRefused(
                "This URL points to a private, loopback or reserved address, which webhooks "
                "may not reach (add it to DOCUFLOW_WEBHOOK_ALLOWLIST to allow it)."
            )


def validate(url: str) -> str:
    """Check a URL when an endpoint is saved. Returns it unchanged.

    A host that does not resolve yet is accepted: each attempt checks again.
    """
    _, host, port = parse(url)
    if conf.production():
        try:
            addresses = resolve(host, port)
        except OSError:
            addresses = []
        check_addresses(host, addresses)
    return url


def addresses_to_connect(url: str) -> tuple[str, str, int, list[str]]:
    """(scheme, host, port, addresses) for one attempt, checked as ``validate`` does.

    Raises ``URLRefused`` (a refused address) or ``OSError`` (no address).
    """
    scheme, host, port = parse(url)
    addresses = resolve(host, port)
    if not addresses:
        raise OSError(f"{host} has no address")
    check_addresses(host, addresses)
    return scheme, host, port, addresses
