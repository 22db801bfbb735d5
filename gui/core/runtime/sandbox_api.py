"""The sandbox's CarrierX API shapes: Call objects, DIDs, field checks, lists, errors.

Pure functions and data, no sockets: `sandbox.py` serves them. Follows FLEXML.md §4-§6:
errors are `{"errors": [{"message": ..., "field": ...}]}`, lists carry `count`, `has_more`,
`items`, `limit`, `offset`, `pagination` and `total`. The Call, DID and endpoint objects
have exactly the keys of CarrierX's documented samples (FLEXML.md §7; the sandbox's own
state of a call is served apart, at /sandbox/calls/{call_sid}).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from .call import normalise_number
from .caller import check_script

DEFAULT_METHOD = "POST"
DEFAULT_TIMEOUT = 30  # ring seconds, per the docs
DEFAULT_LIMIT = 10
# Our own bounds (CarrierX documents none): a call waits at most a week, as the window's
# Delay field allows, rings at most an hour, and carries at most 16 KiB of attributes, so
# the scheduled calls the sandbox keeps cannot grow without bound.
MAX_DELAY = 7 * 24 * 3600
MAX_RING_TIMEOUT = 3600
MAX_ATTRIBUTES_BYTES = 16 * 1024
MAX_LIMIT = 1000
METHODS = ("GET", "POST")
_NAMESPACE = uuid.UUID("6f1f7a52-8f0e-4a43-9a53-2b1d5e0c7d11")  # stable sandbox SIDs

# The sandbox's own state of a call (not a request field: requests carry CallStatus, see
# call.py), served at /sandbox/calls/{call_sid} and in X-Sandbox-Call-Status; once the call
# has ended, its CallStatus (completed, failed, ...).
SCHEDULED = "scheduled"
RUNNING = "in-progress"


class ApiError(Exception):
    """An answer with an error status and CarrierX's error body."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.errors: list[dict[str, str]] = [_error(message, field)]

    @classmethod
    def invalid(cls, problems: Sequence[tuple[str, str]]) -> ApiError:
        """A 422 naming every field in `problems` ((field, message) pairs)."""
        error = cls(422, problems[0][1], problems[0][0])
        error.errors = [_error(message, name) for name, message in problems]
        return error

    def body(self) -> dict[str, Any]:
        return {"errors": self.errors}


def _error(message: str, field_name: str | None) -> dict[str, str]:
    return {"message": message, "field": field_name} if field_name else {"message": message}


def stable_sid(*parts: str) -> str:
    """A UUID that is the same for the same parts (DIDs, the endpoint, the account)."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def iso_now() -> str:
    """The current time as CarrierX writes it: 2026-01-20T18:14:13.000Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class SandboxCall:
    """One call placed through the sandbox, and what became of it."""

    calling_did: str
    called_did: str
    url: str | None  # None: the calling DID's url is used when the call starts
    called_as: str = ""  # called_did as the request wrote it (a + kept): OriginalTo
    method: str = DEFAULT_METHOD
    delay: int = 0
    timeout: int = DEFAULT_TIMEOUT
    status_callback_url: str | None = None
    status_callback_method: str = DEFAULT_METHOD
    attributes: dict[str, Any] = field(default_factory=dict)
    call_sid: str = field(default_factory=lambda: str(uuid.uuid4()))
    account_sid: str = ""
    date_created: str = field(default_factory=iso_now)
    status: str = SCHEDULED
    transcript: list[dict[str, Any]] = field(default_factory=list)

    @property
    def dtmf(self) -> str:
        value = self.attributes.get("dtmf", "")
        return value if isinstance(value, str) else ""

    @property
    def scheduled(self) -> bool:
        return self.status == SCHEDULED

    def as_json(self) -> dict[str, Any]:
        """The Call object, as POST /calls and GET /calls/{call_sid} answer it: the keys
        of the documented sample, plus `timeout` (in the documented table), and nothing
        else (https://docs.carrierx.com/flexml/flexml-api/calls/call)."""
        return {
            "account_sid": self.account_sid,
            "attributes": dict(self.attributes),
            "call_sid": self.call_sid,
            "called_did": self.called_did,
            "calling_did": self.calling_did,
            "date_created": self.date_created,
            "delay": self.delay,
            "method": self.method,
            "status_callback_method": self.status_callback_method,
            "status_callback_url": self.status_callback_url,
            "timeout": self.timeout,
            "url": self.url,
        }

    def state_json(self) -> dict[str, Any]:
        """What the sandbox saw of the call (GET /sandbox/calls/{call_sid}): its status
        (SCHEDULED, RUNNING, then its CallStatus) and its events so far."""
        return {
            "call_sid": self.call_sid,
            "status": self.status,
            "transcript": list(self.transcript),
        }

    def as_json_with_sandbox(self) -> dict[str, Any]:
        """Not CarrierX's shape, for in-process users only (Sandbox.call): the Call object
        plus a "sandbox" key holding the sandbox's status and transcript."""
        return {
            **self.as_json(),
            "sandbox": {"status": self.status, "transcript": list(self.transcript)},
        }


def too_many_calls(limit: int) -> str:
    """Why a new call is refused when `limit` calls are scheduled or running already."""
    return (
        f"the sandbox has {limit} calls scheduled or in progress, as many as it keeps: "
        "wait for some to end, or DELETE scheduled ones"
    )


# The DID object's read-only fields (https://docs.carrierx.com/flexml/flexml-api/dids/did);
# the others (url, method, status_callback_url, status_callback_method) a PATCH may change.
DID_READ_ONLY = (
    "account_sid",
    "country_code",
    "did_sid",
    "in_country_format",
    "international_format",
    "phonenumber",
)


@dataclass
class SandboxDid:
    """A DID routed to the sandbox endpoint, and where the calls it makes get their FlexML
    when they have no url (and their status callback when they have none): FLEXML.md §3,
    "If not defined in the Call object, the same sequence is used: DID > Account"."""

    phonenumber: str
    account_sid: str = ""
    url: str | None = None
    method: str = DEFAULT_METHOD
    status_callback_url: str | None = None
    status_callback_method: str = DEFAULT_METHOD

    @property
    def did_sid(self) -> str:
        return stable_sid("did", self.phonenumber)

    def as_json(self) -> dict[str, Any]:
        """The DID object: the documented sample's keys, in its order."""
        number = self.phonenumber
        national = number[1:] if len(number) == 11 and number.startswith("1") else number
        if len(national) == 10:
            in_country = f"({national[:3]}) {national[3:6]}-{national[6:]}"
            international = f"+1 {national[:3]}-{national[3:6]}-{national[6:]}"
        else:
            in_country, international = national, f"+{number}"
        return {
            "account_sid": self.account_sid,
            "country_code": "USA",
            "did_sid": self.did_sid,
            "in_country_format": in_country,
            "international_format": international,
            "method": self.method,
            "phonenumber": number,
            "status_callback_method": self.status_callback_method,
            "status_callback_url": self.status_callback_url,
            "url": self.url,
        }

    def change(self, body: object) -> None:
        """Apply a PATCH /dids/{did_sid} body, or ApiError 422 naming each wrong field
        (and then change nothing). [assumed] CarrierX's objects change with PATCH or PUT
        (the Call page says so of the Call object) and the DID's url, method and status
        callback are not marked read only, so a PATCH may set them. A read-only field is
        accepted only with its current value (a client that sends the object back whole
        works); a name the DID object does not have is refused."""
        if not isinstance(body, dict):
            raise ApiError(422, "the request body must be a JSON object")
        problems: list[tuple[str, str]] = []

        def bad(name: str, message: str) -> None:
            problems.append((name, message))

        current = self.as_json()
        for name, value in body.items():
            if name in DID_READ_ONLY and value != current[name]:
                bad(name, f"{name} is read only")
            elif name not in current:
                bad(name, f"{name} is not a field of the DID object")
        changes: dict[str, Any] = {}
        for name in ("url", "status_callback_url"):
            if name in body:
                value = body[name]
                if value is not None and not is_http_url(value):
                    bad(name, f"{name} must be an absolute http:// or https:// URL, or null")
                changes[name] = value
        for name in ("method", "status_callback_method"):
            if name in body:
                changes[name] = _method(body, name, bad)
        if problems:
            raise ApiError.invalid(problems)
        for name, value in changes.items():
            setattr(self, name, value)


def endpoint_json(endpoint_sid: str, login: str, password: str, api_url: str) -> dict[str, Any]:
    """The sandbox's FlexML endpoint as the Core API lists it: the documented fields of the
    Endpoint object, in their order, with the sandbox's honest values
    (https://docs.carrierx.com/voice/core-api/endpoints/endpoint; `partner`, shown only with
    with_related=true, is left out)."""
    return {
        "addresses": [],  # nothing reaches the sandbox over SIP
        "attributes": {},
        # "maximum number of simultaneous inbound calls": the sandbox takes none (its calls
        # are those placed with POST /calls)
        "capacity": 0,
        "cps_limit": 0,  # "0 or null means unlimited": the sandbox limits no rate
        "endpoint_sid": endpoint_sid,
        "name": "FlexML Studio sandbox",
        "out_sip_password": None,
        "out_sip_username": None,
        "partner_sid": None,  # no partner account behind the sandbox
        # The FlexML API's credentials (FLEXML.md §5; the properties table itself is cut
        # off in the stored documentation).
        "properties": {"login": login, "password": password, "api_url": api_url},
        "transformations": [],
        "type": "flexml",
        "voip_token": None,
    }


def check_dids(dids: Sequence[str]) -> tuple[str, ...]:
    """Sandbox DIDs as digits (ValueError for one that is not a number, or none at all)."""
    numbers = []
    for did in dids:
        number = normalise_number(did).lstrip("+")
        numbers.append(number)
    if not numbers:
        raise ValueError("the sandbox needs at least one DID")
    return tuple(dict.fromkeys(numbers))


def new_call(body: object, dids: Sequence[str], account_sid: str) -> SandboxCall:
    """A SandboxCall from a POST /calls body, or ApiError 422 naming each wrong field."""
    if not isinstance(body, dict):
        raise ApiError(422, "the request body must be a JSON object")
    problems: list[tuple[str, str]] = []

    def bad(name: str, message: str) -> None:
        problems.append((name, message))

    calling = _number(body, "calling_did", bad)
    calling = None if calling is None else calling.lstrip("+")
    if calling is not None and calling not in dids:
        bad("calling_did", f"{calling} is not a DID of this endpoint (use one of GET /dids)")
    # The sandbox calls any number. The Call object keeps its digits; the requests'
    # OriginalTo, "the dialed number in its raw form" [doc], keeps a leading +.
    called_as = _number(body, "called_did", bad, short=True)
    called = None if called_as is None else called_as.lstrip("+")
    url = body.get("url")  # optional: without it the calling DID's url is used [doc]
    if url is not None and not is_http_url(url):
        bad("url", "url must be an absolute http:// or https:// URL")
    method = _method(body, "method", bad)
    delay = _count(body, "delay", 0, MAX_DELAY, bad)
    ring = _count(body, "timeout", DEFAULT_TIMEOUT, MAX_RING_TIMEOUT, bad)
    callback = body.get("status_callback_url")
    if callback is not None and not is_http_url(callback):
        bad("status_callback_url", "status_callback_url must be an http:// or https:// URL")
    callback_method = _method(body, "status_callback_method", bad)
    attributes = body.get("attributes")
    if attributes is None:
        attributes = {}
    elif not isinstance(attributes, dict):
        bad("attributes", "attributes must be an object")
        attributes = {}
    elif _json_size(attributes) > MAX_ATTRIBUTES_BYTES:
        bad("attributes", f"attributes must be at most {MAX_ATTRIBUTES_BYTES // 1024} KiB of JSON")
        attributes = {}
    dtmf = attributes.get("dtmf")
    if dtmf is not None:
        if not isinstance(dtmf, str):
            bad("attributes.dtmf", "attributes.dtmf must be a string of keys, such as 1#w2")
        else:
            try:
                check_script(dtmf)
            except ValueError as exc:
                bad("attributes.dtmf", str(exc))
    if problems:
        raise ApiError.invalid(problems)
    assert calling is not None and called is not None and called_as is not None
    return SandboxCall(
        calling_did=calling,
        called_did=called,
        called_as=called_as,
        url=url,
        method=method,
        delay=delay,
        timeout=ring,
        status_callback_url=callback,
        status_callback_method=callback_method,
        attributes=dict(attributes),
        account_sid=account_sid,
    )


def _number(body: Mapping[str, Any], name: str, bad, *, short: bool = False) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        bad(name, f"{name} is required")
        return None
    if not isinstance(value, str):
        bad(name, f"{name} must be a string of digits")
        return None
    try:
        return normalise_number(value, short=short)
    except ValueError as exc:
        bad(name, str(exc))
        return None


def _method(body: Mapping[str, Any], name: str, bad) -> str:
    value = body.get(name)
    if value is None:
        return DEFAULT_METHOD
    if not isinstance(value, str) or value.upper() not in METHODS:
        bad(name, f"{name} must be GET or POST")
        return DEFAULT_METHOD
    return value.upper()


def _count(body: Mapping[str, Any], name: str, default: int, high: int, bad) -> int:
    # Bounded: a delay of 10**400 seconds would be accepted, then overflow asyncio.sleep.
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        bad(name, f"{name} must be a whole number of seconds, 0 to {high}")
        return default
    return value


def _json_size(value: object) -> int:
    """The size of `value` as compact JSON (what a call keeps of it), in bytes."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return len(text.encode("utf-8", "replace"))
    except (ValueError, TypeError, RecursionError):
        return MAX_ATTRIBUTES_BYTES + 1


def is_http_url(value: object) -> bool:
    """Whether `value` is an absolute http:// or https:// URL with a host."""
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def page(
    items: Sequence[dict[str, Any]], query: Mapping[str, str], base_url: str
) -> dict[str, Any]:
    """One page of `items` with CarrierX's list fields (`limit`, `offset` from `query`)."""
    limit = _query_int(query, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _query_int(query, "offset", 0, 0, None)
    chosen = list(items[offset : offset + limit])
    total = len(items)
    has_more = offset + len(chosen) < total
    pagination: dict[str, str] = {}
    if has_more:
        pagination["next"] = f"{base_url}?limit={limit}&offset={offset + limit}"
    if offset > 0:
        pagination["previous"] = f"{base_url}?limit={limit}&offset={max(0, offset - limit)}"
    return {
        "count": len(chosen),
        "has_more": has_more,
        "items": chosen,
        "limit": limit,
        "offset": offset,
        "pagination": pagination,
        "total": total,
    }


def _query_int(
    query: Mapping[str, str], name: str, default: int, low: int, high: int | None
) -> int:
    text = query.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if value < low or (high is not None and value > high):
        limit = f"{low} to {high}" if high is not None else f"{low} or more"
        raise ApiError(422, f"{name} must be a whole number, {limit}", name)
    return value


def matches_filter(item: Mapping[str, Any], expression: str | None) -> bool:
    """Whether `item` passes a CarrierX filter such as `type eq "flexml"` (only `eq`
    conditions joined with `and` are understood; ApiError 422 for anything else)."""
    if not expression or not expression.strip():
        return True
    for condition in expression.split(" and "):
        words = condition.strip().split(None, 2)
        if len(words) != 3 or words[1] != "eq":
            raise ApiError(
                422, f'the sandbox understands filters like type eq "flexml": {condition!r}'
            )
        name, _, value = words
        value = value.strip().strip("\"'")
        if str(item.get(name, "")) != value:
            return False
    return True
