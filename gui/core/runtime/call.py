"""One call's identity and the fields CarrierX sends with every request (FLEXML.md §3)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

API_VERSION = "2.0"  # seen
# CarrierX documents only final CallStatus values; TwiML says "in-progress" while the call
# is up, and so do we [assumed].
LIVE_STATUS = "in-progress"
DEFAULT_FROM = "15555550100"
DEFAULT_TO = "15555550199"

_NUMBER = re.compile(r"\+?[0-9]{7,15}\Z")
_ANY_NUMBER = re.compile(r"\+?[0-9]{1,15}\Z")  # a number called in the sandbox: no network
_NUMBER_PUNCTUATION = re.compile(r"[\s().-]")


def normalise_number(text: str, *, short: bool = False) -> str:
    """A phone number without spaces, dots, dashes or parentheses (a leading + is kept:
    it goes to OriginalFrom/OriginalTo; From/To get the digits). Else ValueError. `short`
    accepts 1 to 6 digits too (911, an extension): what a person may call in the sandbox."""
    compact = _NUMBER_PUNCTUATION.sub("", text)
    if (_ANY_NUMBER if short else _NUMBER).match(compact) is None:
        least = 1 if short else 7
        raise ValueError(
            f"{text!r} is not a phone number: {least} to 15 digits, optionally after a +"
        )
    return compact


@dataclass(frozen=True)
class CallInfo:
    """Who calls whom, the call's SID, and its status callback (from the Call or DID)."""

    from_number: str = DEFAULT_FROM
    to_number: str = DEFAULT_TO
    direction: str = "inbound"
    caller_name: str = ""
    call_sid: str = field(default_factory=lambda: str(uuid.uuid4()))
    status_callback_url: str | None = None
    status_callback_method: str = "POST"
    # More fields sent with every request, e.g. SipHeader_X-Name or EndpointSid.
    extra: Mapping[str, str] = field(default_factory=dict, hash=False)

    def fields(self, request_url: str, status: str = LIVE_STATUS) -> dict[str, str | None]:
        """The fields of one request to `request_url` (verb results are added to them)."""
        return {
            "AccountSid": "",
            "ApiVersion": API_VERSION,
            "CallSid": self.call_sid,
            "CallerName": self.caller_name,
            "CallStatus": status,
            "Direction": self.direction,
            "From": _digits(self.from_number),
            "To": _digits(self.to_number),
            "OriginalFrom": self.from_number,
            "OriginalTo": self.to_number,
            "RequestUrl": request_url,
            **self.extra,
        }


def _digits(number: str) -> str:
    return "".join(c for c in number if c.isascii() and c.isdigit())
