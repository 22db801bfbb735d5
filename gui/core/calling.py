"""Placing a call, without Qt: the plan, its checks, the DID it comes from, the request for
POST /calls and the warnings about what CarrierX cannot reach. The dial pad and
`flexml-studio call` both place their calls through these rules.

httpx (with gui.core.carrierx) is imported only when a request is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .net import describe_url_risk, is_http_url, url_is_loopback
from .phone import normalize

if TYPE_CHECKING:
    from .carrierx import CallRequest

NO_DIDS = (
    "the FlexML endpoint has no DIDs to call from (GET /dids is empty): assign a DID to it "
    "in CarrierX"
)
FLOW_SERVER_UNREACHABLE = (
    "The flow server's address is on this computer (loopback), which CarrierX cannot reach: "
    "give the flow server a public URL (a tunnel such as ngrok or cloudflared) in the Flow "
    "server panel, or use a custom URL."
)
FICTIONAL = "555-0100 to 555-0199 are fictional numbers"
SANDBOX_CALLS_IT = "the sandbox calls it anyway"
NOBODY_ANSWERS = "no phone answers them"
STATUS_UNREACHABLE = (
    "The status callback goes to the flow server on this computer, which CarrierX cannot "
    "reach: give the flow server a public URL, or untick it under More options."
)


class PlanError(ValueError):
    """The call cannot be placed as planned; the message says why, for people."""


class NoDidsError(PlanError):
    """No DID was chosen to call from, and the endpoint has none."""


@dataclass(frozen=True)
class CallPlan:
    """A call as a person set it up. `to` is the number as typed (`region` reads numbers
    without a country code); `calling_did` "" means the endpoint's first DID. CarrierX runs
    `flow`, a project flow the window's flow server serves, or else `url`. The status
    callback goes to that flow server (`status_to_server`) or to `status_url`. None leaves
    an option to CarrierX's default."""

    to: str
    region: str = "US"
    calling_did: str = ""
    flow: str | None = None
    url: str = ""
    method: str | None = None
    delay: int | None = None
    timeout: int | None = None
    status_to_server: bool = False
    status_url: str | None = None
    attributes: Mapping[str, Any] | None = None


class _FlowServer(Protocol):
    base_url: str

    def flow_urls(self) -> dict[str, str]: ...


class _DidLister(Protocol):
    async def list_dids(self) -> list[dict[str, Any]]: ...


# -- before any request ------------------------------------------------------------------


def number_digits(
    text: str, region: str, label: str, *, strict: bool = True, sandbox: bool = False
) -> str:
    """`text` as E.164 digits (what CarrierX takes); PlanError "LABEL: why" when it is not
    a number to call. `strict` False accepts a possible number in no known range;
    `sandbox` True any number a person would type (see gui.core.phone.normalize)."""
    number = normalize(text, region, strict=strict, sandbox=sandbox)
    if not number.ok:
        raise PlanError(f"{label}: {number.message}")
    return number.digits


def number_note(text: str, region: str, *, sandbox: bool = True) -> str | None:
    """What to tell people about a number that can be called but will not reach anyone
    real: a fictional 555 number, or (in the sandbox) one a real network would refuse,
    which the sandbox calls anyway. None when there is nothing to say, and for what is no
    number at all (`check` says why)."""
    number = normalize(text, region, sandbox=sandbox, strict=False)
    if not number.ok:
        return None
    if _fictional(number.digits, number.e164, region):
        return f"{FICTIONAL}: {SANDBOX_CALLS_IT if sandbox else NOBODY_ANSWERS}"
    if not sandbox or not number.message:
        return None
    if number.e164:  # possible, but in no range a network gave out
        return f"not a number in any known range: {SANDBOX_CALLS_IT}"
    return f"{number.message}; {SANDBOX_CALLS_IT}"  # what a real network would refuse


def _fictional(digits: str, e164: str, region: str) -> bool:
    """Whether the number is in 555-0100 to 555-0199, the North American range kept for
    fiction: with its area code, or typed locally (555-0123) in a +1 region."""
    if e164.startswith("+1") and len(digits) == 11:
        return digits[4:9] == "55501"
    if not e164 and len(digits) == 7 and digits.startswith("55501"):
        from phonenumbers import country_code_for_region

        return country_code_for_region(region.strip().upper()) == 1
    return False


def check(
    plan: CallPlan, options: Mapping[str, str] | None = None, *, sandbox: bool = False
) -> str:
    """Check what the plan can be checked for without asking anyone, and return the number
    to call as E.164 digits. PlanError says what is wrong: naming the command-line option
    (`options` maps the plan's fields to them: to, url, status_url, delay, timeout) and
    what it must be, else showing the value as typed. `sandbox` True: the call goes to
    the sandbox, which has no network and calls any number a person would type (the digits
    as dialled when they are no E.164 number); a real endpoint gets the strict check."""

    def named(field: str, value: object) -> str | None:
        return f"{options[field]} {value!r}" if options and field in options else None

    label = named("to", plan.to) or plan.to or "No number"
    called = number_digits(plan.to, plan.region, label, sandbox=sandbox)
    urls = [("url", plan.url)] if plan.flow is None else []
    if plan.status_url is not None and not plan.status_to_server:
        urls.append(("status_url", plan.status_url))
    for field, url in urls:
        if is_http_url(url):
            continue
        option = named(field, url)
        if option:
            raise PlanError(f"{option} must be an http:// or https:// URL")
        raise PlanError(f"{url or 'The URL'} is not an http:// or https:// URL")
    delay = (options or {}).get("delay", "The delay")
    if plan.delay is not None and plan.delay < 0:
        raise PlanError(f"{delay} must be 0 or more seconds, not {plan.delay}")
    timeout = (options or {}).get("timeout", "The ring timeout")
    if plan.timeout is not None and plan.timeout <= 0:
        raise PlanError(f"{timeout} must be more than 0 seconds, not {plan.timeout}")
    return called


def warnings(
    plan: CallPlan, api_url: str, *, sandbox: bool = False, server_public: bool = False
) -> list[str]:
    """Why the call as planned cannot work, or is unsafe, on a real CarrierX (the most
    important first): credentials over plain http, or a flow or status URL on this computer.
    None of that matters to the sandbox or to an API on this computer, which reach loopback.
    `server_public` says the window's flow server has a public URL."""
    if sandbox:
        return []
    found = []
    risk = describe_url_risk(api_url)
    if risk:
        found.append(risk)
    if url_is_loopback(api_url):
        return found
    if plan.flow is not None:
        if not server_public:
            found.append(FLOW_SERVER_UNREACHABLE)
    elif url_is_loopback(plan.url):
        found.append(f"CarrierX cannot reach {plan.url}: it is on this computer. Use a public URL.")
    if plan.status_to_server and not server_public:
        found.append(STATUS_UNREACHABLE)
    return found


# -- asking the endpoint ----------------------------------------------------------------------


def served_urls(plan: CallPlan, server: _FlowServer | None) -> tuple[str, str | None]:
    """(the URL CarrierX requests, the status callback URL or None). A served flow's URL
    and the flow server's /status come from `server`, started and publishing the project
    (None when the plan needs no flow server)."""
    url = plan.url
    if plan.flow is not None:
        urls = server.flow_urls() if server is not None else {}
        if plan.flow not in urls:
            raise PlanError(f"the project has no flow named {plan.flow!r} any more")
        url = urls[plan.flow]
    if plan.status_to_server and server is not None:
        from .server.routes import STATUS_PATH  # aiohttp comes along: only when serving

        return url, server.base_url + STATUS_PATH
    return url, plan.status_url or None


def did_numbers(dids: list[dict[str, Any]]) -> list[str]:
    """The phone numbers in GET /dids' answer, in its order (items without one skipped)."""
    numbers = []
    for did in dids:
        value = did.get("phonenumber") if isinstance(did, Mapping) else None
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            numbers.append(str(value).strip())
    return numbers


async def calling_did(plan: CallPlan, client: _DidLister, hint: str = "") -> tuple[str, list[str]]:
    """The DID the call comes from: the plan's, else the endpoint's first (GET /dids). With it,
    the DIDs listed ([] when none were asked for). NoDidsError (ending with `hint`, what to
    do instead in the caller's words) when the endpoint has none."""
    if plan.calling_did:
        return plan.calling_did, []
    numbers = did_numbers(await client.list_dids())
    if not numbers:
        raise NoDidsError(NO_DIDS + hint)
    return numbers[0], numbers


def call_request(
    plan: CallPlan, called: str, calling: str, url: str, status_url: str | None
) -> CallRequest:
    """The body of POST /calls for the plan: `called` from `check`, `calling` from
    `calling_did`, the URLs from `served_urls`."""
    from .carrierx import CallRequest

    return CallRequest(
        calling_did=calling,
        called_did=called,
        url=url,
        method=plan.method,
        delay=plan.delay,
        timeout=plan.timeout,
        status_callback_url=status_url,
        attributes=plan.attributes,
    )
