"""Sending one delivery over HTTP: signed, and never to an address inside our own network.

A webhook's address is typed by an admin, but where it leads is decided by DNS and by whatever the
receiver redirects to: an address that resolves to 127.0.0.1, 10.x, 169.254.169.254 (the cloud's
metadata service) or any other non-public address would let the worker reach the machines behind
the firewall (server-side request forgery). So each host is resolved here, every address it
resolves to must be public, and the connection goes to the address that was checked (a second DNS
answer cannot swap it); a redirect is followed by hand and checked again, at most MAX_REDIRECTS.
`WEBHOOKS_ALLOWED_NETWORKS` lets a test (or an on-premises install) reach named networks.
"""

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

MAX_REDIRECTS = 3
TIMEOUT = 10  # seconds to connect and to read
ANSWER_KEPT = 500  # characters of an error kept in the delivery log
USER_AGENT = "Tandem-Webhooks/1"


class AddressRefused(Exception):
    """The address may not be delivered to; the message says why, for the delivery log."""


@dataclass(frozen=True)
class Answer:
    status: int


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 of "<timestamp>.<body>" with the subscription's secret, as `sha256=<hex>`: the
    timestamp is signed too, so a receiver refusing old timestamps refuses replayed requests."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(network) for network in settings.WEBHOOKS_ALLOWED_NETWORKS]


def address_check(host: str, port: int) -> str:
    """The address to connect to for `host`, once every address it resolves to is public (or
    allowed by setting); raises AddressRefused otherwise."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise AddressRefused(f"The host {host} does not resolve.") from error
    allowed = _allowed_networks()
    addresses = []
    for *_, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not any(address in network for network in allowed) and not address.is_global:
            raise AddressRefused(
                f"{host} leads to {address}, an address inside a private network (loopback, private, "
                "link-local or metadata): Tandem delivers only to public addresses."
            )
        addresses.append(str(address))
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str) -> None:
        super().__init__(host, port, timeout=TIMEOUT)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str) -> None:
        super().__init__(host, port, timeout=TIMEOUT, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(url: str, *, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` to `url`, checking the address of every hop; the receiver's status code."""
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise AddressRefused("The address must start with http:// or https:// and name a host.")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = address_check(parts.hostname, port)
        connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        connection = connection_class(parts.hostname, port, address=address)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request(
                "POST",
                path,
                body=body,
                headers={**headers, "Content-Type": "application/json", "User-Agent": USER_AGENT},
            )
            response = connection.getresponse()
            response.read(64 * 1024)  # the receiver's answer is not ours to keep
            location = response.getheader("Location")
        finally:
            connection.close()
        if response.status in (301, 302, 303, 307, 308) and location:
            url = urljoin(url, location)
            continue
        return Answer(status=response.status)
    raise AddressRefused(f"More than {MAX_REDIRECTS} redirects.")
