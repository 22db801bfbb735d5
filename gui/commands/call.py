"""`flexml-studio call`: place a call through the CarrierX FlexML API and print the Call object.

The FlexML API credentials come from the environment (`FLEXML_API_URL`, `FLEXML_LOGIN`,
`FLEXML_PASSWORD`) or from a saved profile (`--profile NAME`). The call's URL is `--url`, or a
project flow served by `flexml-studio serve` (`--flow NAME --project P --base-url URL`).

Exit 0 when CarrierX accepted the call; 1 when it answered with an error (or with something
that is not its API's answer); 2 when the command line or the credentials are unusable, or
CarrierX could not be reached. The password is never printed, in any form: not in the
messages, and not in the Call object either (an API that echoes the Authorization header
gets it back as ***).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..core.calling import (
    CallPlan,
    NoDidsError,
    PlanError,
    call_request,
    calling_did,
    check,
    number_digits,
    warnings,
)
from ..core.net import is_http_url
from . import UserError

if TYPE_CHECKING:
    from ..core.carrierx import FlexmlClient

EXIT_OK, EXIT_API_ERROR, EXIT_UNUSABLE = 0, 1, 2
DEFAULT_API_URL = "https://api.carrierx.com/flexml/v1"
ENV_API_URL, ENV_LOGIN, ENV_PASSWORD = "FLEXML_API_URL", "FLEXML_LOGIN", "FLEXML_PASSWORD"


def _err(message: str) -> None:
    print(f"flexml-studio: {message}", file=sys.stderr)


# -- the command line --------------------------------------------------------------------


OPTIONS = {  # how the command line names the fields of a CallPlan, in its messages
    "to": "--to",
    "url": "--url",
    "status_url": "--status-callback",
    "delay": "--delay",
    "timeout": "--timeout",
}


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
    if not is_http_url(args.base_url):
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


def _plan(args: argparse.Namespace) -> tuple[CallPlan, str]:
    """The call the command line asks for, checked, and the number to call (E.164 digits)."""
    plan = CallPlan(
        to=args.to,
        region=args.region,
        flow=args.flow,  # its URL is known once the project is read
        url=args.url or "",
        method=args.method,
        delay=args.delay,
        timeout=args.timeout,
        status_url=args.status_callback,
    )
    try:
        called = check(plan, OPTIONS)
        calling = ""
        if args.from_did:
            label = f"--from {args.from_did!r}"
            calling = number_digits(args.from_did, args.region, label, strict=False)
    except PlanError as exc:
        raise UserError(str(exc)) from None
    attributes = _attributes(args.attributes)
    url = plan.url if args.flow is None else _flow_url(args)
    return replace(plan, calling_did=calling, flow=None, url=url, attributes=attributes), called


# -- running -----------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    # Everything the command line says is checked before any request is made.
    plan, called = _plan(args)
    api_url, login, password = _credentials(args)

    from ..core.carrierx import ApiError, BadAnswerError, CarrierXError, FlexmlClient, redact

    secrets = [password, f"{login}:{password}"]
    try:
        client = FlexmlClient(api_url, login, password)
    except ValueError as exc:
        raise UserError(redact(str(exc), secrets)) from None
    for warning in warnings(plan, client.base_url):
        _err(f"warning: {warning}")
    try:
        call = asyncio.run(_place(client, plan, called))
    except (ApiError, BadAnswerError) as exc:
        _err(redact(exc.message, secrets))
        return EXIT_API_ERROR
    except CarrierXError as exc:  # no answer at all: network, timeouts
        _err(redact(exc.message, secrets))
        return EXIT_UNUSABLE
    except NoDidsError as exc:
        _err(redact(str(exc), secrets))
        return EXIT_API_ERROR
    # The client redacted the answer already; the printed text is checked once more, as
    # printing is what leaks.
    print(redact(json.dumps(call, indent=2, ensure_ascii=False), secrets))
    return EXIT_OK


async def _place(client: FlexmlClient, plan: CallPlan, called: str) -> dict[str, Any]:
    async with client:
        calling, _ = await calling_did(plan, client, hint=", or give one with --from")
        return await client.create_call(
            call_request(plan, called, calling, plan.url, plan.status_url)
        )
