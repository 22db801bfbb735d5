"""`flexml-studio call`: place a call through the CarrierX FlexML API and print the Call object.

The FlexML API credentials come from the environment (`FLEXML_API_URL`, `FLEXML_LOGIN`,
`FLEXML_PASSWORD`) or from a saved profile (`--profile NAME`). The call's URL is `--url`, or a
project flow served by `flexml-studio serve` (`--flow NAME --project P --base-url URL`).

Exit 0 when CarrierX accepted the call; 1 when it answered with an error (or with something
that is not its API's answer); 2 when the command line or the credentials are unusable, or
CarrierX could not be reached. The password is never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import sys
from typing import Any
from urllib.parse import urlsplit

from . import UserError

EXIT_OK, EXIT_API_ERROR, EXIT_UNUSABLE = 0, 1, 2
DEFAULT_API_URL = "https://api.carrierx.com/flexml/v1"
ENV_API_URL, ENV_LOGIN, ENV_PASSWORD = "FLEXML_API_URL", "FLEXML_LOGIN", "FLEXML_PASSWORD"


def _err(message: str) -> None:
    print(f"flexml-studio: {message}", file=sys.stderr)


# -- the command line --------------------------------------------------------------------


def _number(option: str, text: str, region: str, *, strict: bool) -> str:
    from ..core.phone import normalize

    number = normalize(text, region, strict=strict)
    if not number.ok:
        raise UserError(f"{option} {text!r}: {number.message}")
    return number.digits


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _attributes(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise UserError(f"--attributes is not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise UserError('--attributes must be a JSON object, such as {"dtmf": "1#"}')
    return value


def _flow_url(args: argparse.Namespace) -> str:
    """The URL of `--flow` in `--project`, as `flexml-studio serve` serves it."""
    from ..core.flexml import FlexmlError, MalformedError
    from ..core.flexml.refs import flow_url
    from ..core.project import load

    if not args.project:
        raise UserError("--flow needs --project: the project the flow belongs to")
    if not args.base_url:
        raise UserError(
            "--flow needs --base-url: the public address of a running `flexml-studio serve` "
            "(its flows are at BASE/flows/NAME)"
        )
    if not _is_http_url(args.base_url):
        raise UserError(f"--base-url {args.base_url!r} must be an http:// or https:// URL")
    try:
        project = load([args.project])
    except MalformedError as exc:  # its message does not name the file; others do
        at = f" (line {exc.line}, column {exc.column or 1})" if exc.line else ""
        raise UserError(f"{args.project}: {exc.message}{at}") from None
    except FlexmlError as exc:
        raise UserError(exc.message) from None
    if args.flow not in project:
        names = ", ".join(project.names) or "none"
        raise UserError(f"{args.project} has no flow named {args.flow!r} (it has: {names})")
    return flow_url(args.base_url, args.flow)


def _credentials(args: argparse.Namespace) -> tuple[str, str, str]:
    """(api_url, login, password) from --profile, else from the environment."""
    if args.profile:
        try:
            from ..core.profiles import credentials_for_profile
        except ImportError:
            raise UserError(
                "--profile is not available in this version (no saved profiles); set "
                f"{ENV_LOGIN} and {ENV_PASSWORD} (and {ENV_API_URL}) instead"
            ) from None
        try:
            api_url, login, password = credentials_for_profile(args.profile)
        except Exception as exc:  # any failure of the profile store is one line, no traceback
            raise UserError(f"profile {args.profile!r}: {exc}") from None
        return api_url, login, password
    api_url = os.environ.get(ENV_API_URL) or DEFAULT_API_URL
    login = os.environ.get(ENV_LOGIN, "")
    password = os.environ.get(ENV_PASSWORD, "")
    missing = [name for name, value in ((ENV_LOGIN, login), (ENV_PASSWORD, password)) if not value]
    if missing:
        raise UserError(
            f"no FlexML API credentials: set {' and '.join(missing)} to the FlexML endpoint's "
            f"login and password ({ENV_API_URL} defaults to {DEFAULT_API_URL}), or use "
            "--profile NAME"
        )
    return api_url, login, password


def _check_counts(args: argparse.Namespace) -> None:
    if args.delay is not None and args.delay < 0:
        raise UserError(f"--delay must be 0 or more seconds, not {args.delay}")
    if args.timeout is not None and args.timeout <= 0:
        raise UserError(f"--timeout must be more than 0 seconds, not {args.timeout}")


def _is_loopback_url(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# -- running -----------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    # Everything the command line says is checked before any request is made.
    called = _number("--to", args.to, args.region, strict=True)
    calling = _number("--from", args.from_did, args.region, strict=False) if args.from_did else None
    _check_counts(args)
    attributes = _attributes(args.attributes)
    if args.url is not None:
        if not _is_http_url(args.url):
            raise UserError(f"--url {args.url!r} must be an http:// or https:// URL")
        url = args.url
    else:
        url = _flow_url(args)
    if args.status_callback is not None and not _is_http_url(args.status_callback):
        raise UserError(
            f"--status-callback {args.status_callback!r} must be an http:// or https:// URL"
        )
    api_url, login, password = _credentials(args)

    from ..core.carrierx import ApiError, BadAnswerError, CarrierXError, FlexmlClient, redact

    try:
        client = FlexmlClient(api_url, login, password)
    except ValueError as exc:
        raise UserError(redact(str(exc), [password])) from None
    if _is_loopback_url(url) and not _is_loopback_url(client.base_url):
        _err(f"warning: CarrierX cannot reach {url} (this machine only); use a public URL")
    if client.base_url.lower().startswith("http://") and not _is_loopback_url(client.base_url):
        _err(
            f"warning: {client.base_url} is plain http://: the login and password cross the "
            "network unencrypted"
        )
    try:
        call = asyncio.run(_place(client, calling, called, url, args, attributes))
    except (ApiError, BadAnswerError) as exc:
        _err(exc.message)
        return EXIT_API_ERROR
    except CarrierXError as exc:  # no answer at all: network, timeouts
        _err(exc.message)
        return EXIT_UNUSABLE
    except _NoDids as exc:
        _err(str(exc))
        return EXIT_API_ERROR
    print(json.dumps(call, indent=2, ensure_ascii=False))
    return EXIT_OK


class _NoDids(Exception):
    pass


async def _place(
    client,
    calling: str | None,
    called: str,
    url: str,
    args: argparse.Namespace,
    attributes: dict[str, Any] | None,
) -> dict[str, Any]:
    from ..core.carrierx import CallRequest

    async with client:
        if calling is None:
            dids = await client.list_dids()
            numbers = [d.get("phonenumber") for d in dids if isinstance(d.get("phonenumber"), str)]
            if not numbers:
                raise _NoDids(
                    "the FlexML endpoint has no DIDs to call from (GET /dids is empty): "
                    "assign a DID to it in CarrierX, or give one with --from"
                )
            calling = numbers[0]
        request = CallRequest(
            calling_did=calling,
            called_did=called,
            url=url,
            method=args.method,
            delay=args.delay,
            timeout=args.timeout,
            status_callback_url=args.status_callback,
            attributes=attributes,
        )
        return await client.create_call(request)
