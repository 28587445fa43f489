"""Which addresses a feed may be fetched from: http(s) only, and no private networks.

A source address is typed by an admin, but every redirect hop comes from a third party, and
a feed that redirects to 127.0.0.1 or 169.254.169.254 would make the bot probe its own
network (server-side request forgery). So every hop is checked here: the scheme, then every
address the host name resolves to, which must all be public unless private addresses are
allowed (SOURCES_ALLOW_PRIVATE, for tests and closed networks). The fetcher then connects to
the address checked here, not to a second lookup's answer, so a name that resolves
differently the second time (DNS rebinding) cannot slip through.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from language.i18n import N_
from storage.values import Problem

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
SCHEMES = {"http": 80, "https": 443}
URL_MAX = 2000


class AddressRefused(Problem):
    """The address may not be fetched; the message says why, in one line (English as str(),
    as stored in a source's last error; the admin's language with `in_language`)."""


class PrivateAddress(AddressRefused):
    """The host is on a private, loopback or link-local network: refused for good, unlike a
    name that does not resolve now (and may later), so `/source add` tells them apart."""


@dataclass(frozen=True, slots=True)
class Target:
    """A checked address: the URL as given, its host and port, and the address to connect to."""

    url: str
    parts: SplitResult
    host: str
    port: int
    address: IPAddress


def check_url(url: str) -> SplitResult:
    """The URL's parts if it is an absolute http(s) URL without credentials; else refuse."""
    if len(url) > URL_MAX:
        raise AddressRefused(N_("the address is longer than {max} characters"), max=URL_MAX)
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise AddressRefused(N_("not a valid address ({error})"), error=error) from None
    if parts.scheme.lower() not in SCHEMES:
        raise AddressRefused(N_("only http:// and https:// addresses can be followed"))
    if not parts.hostname:
        raise AddressRefused(N_("the address has no host name"))
    if parts.username is not None or parts.password is not None:
        raise AddressRefused(N_("addresses with a user name or password are not followed"))
    if port == 0:
        raise AddressRefused(N_("port 0 is not a port"))
    return parts


def is_public(address: IPAddress) -> bool:
    """Whether the address is on the public internet (not private, loopback, link-local...)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


async def resolve(url: str, *, allow_private: bool) -> Target:
    """Check the URL and resolve its host; refuse unless every address found is allowed.

    The lookup runs in the event loop's resolver thread, so a slow DNS server never blocks
    the bot.
    """
    parts = check_url(url)
    host = parts.hostname or ""
    port = parts.port or SCHEMES[parts.scheme.lower()]
    try:
        addresses: list[IPAddress] = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except (OSError, UnicodeError) as error:
            raise AddressRefused(
                N_("the host name {host} does not resolve ({error})"), host=host[:60], error=error
            ) from None
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise AddressRefused(N_("the host name {host} does not resolve"), host=host[:60])
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise PrivateAddress(
                    N_("{host} is on a private, loopback or link-local network ({address})"),
                    host=host[:60], address=address,
                )  # fmt: skip
    return Target(url, parts, host, port, addresses[0])
