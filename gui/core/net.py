"""Hosts and URLs: which only this computer reaches (loopback), which are http(s), and which
would send a login and password across the network unencrypted. One rule for every caller."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

_LOCALHOST = "localhost"


def is_loopback(host: str) -> bool:
    """Whether `host` is only reachable from this computer: `localhost` and any `*.localhost`
    name (any case, a trailing dot allowed; RFC 6761 keeps them on loopback), 127.0.0.0/8,
    ::1 (with or without brackets) and IPv4-mapped ::ffff:127.x.x.x. Any other name may
    resolve to anything, and 0.0.0.0 or :: listen everywhere: False, as for "" and for what
    does not parse."""
    if not host:
        return False
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    name = host.lower().removesuffix(".")
    if name == _LOCALHOST or (name.endswith("." + _LOCALHOST) and not name.startswith(".")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def url_is_loopback(url: str) -> bool:
    """Whether the host of `url` is loopback (see `is_loopback`); False when it has none."""
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return False
    return is_loopback(host or "")


def is_http_url(url: str) -> bool:
    """Whether `url` is an http:// or https:// URL naming a host."""
    try:
        parts = urlsplit(url)
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def describe_url_risk(api_url: str) -> str | None:
    """A warning for people when `api_url` sends credentials unencrypted across a
    network (http:// to a host that is not this computer); None otherwise."""
    try:
        parts = urlsplit(api_url.strip())
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme != "http" or not host or is_loopback(host):
        return None
    return (
        f"The API URL uses plain http:// to {host}: the login and password would cross the "
        "network unencrypted. Use https://."
    )
