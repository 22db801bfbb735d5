"""One call's identity and the fields CarrierX sends with every request (FLEXML.md §3).

Each field below is decided from CarrierX's Requests page
(https://docs.carrierx.com/flexml/flexml-api/call-flow/requests) and the one request body
its documentation shows (the Store page's, sent on a Redirect): FLEXML.md §7.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

API_VERSION = "2.0"  # the documented sample's ApiVersion [doc]
# CallStatus of the requests made while the call is up. CarrierX documents only busy,
# cancel, completed, failed and noanswer, and "completed" means "the call was answered
# successfully"; the one mid-call request body in its documentation (the Store page's,
# sent on a Redirect) carries "completed". Nothing documents "in-progress": that is
# Twilio's word [doc].
LIVE_STATUS = "completed"
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


def new_call_sid() -> str:
    """A new call SID in the API's dashed UUID form."""
    import uuid  # on first use: the window starts without it

    return str(uuid.uuid4())


def request_sid(call_sid: str) -> str:
    """The call SID as requests carry it: the API's dashed UUID as 32 lowercase hex digits
    (the Requests page's sample CallSid is 4695bc4a0932bcd2e99492e523db9ee2, while the Call
    object's call_sid is 2f367eb5-adc6-4413-b603-533e2a8f0804 [doc]). A SID that is not a
    UUID is sent as it is."""
    import uuid  # on first use: the window starts without it

    try:
        return uuid.UUID(call_sid).hex
    except (ValueError, TypeError, AttributeError):
        return call_sid


@dataclass(frozen=True)
class CallInfo:
    """Who calls whom, the call's SID (the API's dashed form), and its status callback
    (from the Call or DID)."""

    from_number: str = DEFAULT_FROM
    to_number: str = DEFAULT_TO
    direction: str = "inbound"
    caller_name: str = ""
    call_sid: str = field(default_factory=new_call_sid)
    status_callback_url: str | None = None
    status_callback_method: str = "POST"
    # More fields sent with every request, e.g. SipHeader_X-Name or EndpointSid.
    extra: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def request_sid(self) -> str:
        """The CallSid its requests carry (see `request_sid`)."""
        return request_sid(self.call_sid)

    def fields(self, request_url: str, status: str = LIVE_STATUS) -> dict[str, str | None]:
        """The fields of one request to `request_url` (verb results are added to them), in
        the order of the documented sample (Store page) [doc]."""
        return {
            # "Reserved for future use. This field is currently always blank." [doc]
            "AccountSid": "",
            "ApiVersion": API_VERSION,
            # "The CNAM of the calling party, if available." [doc]
            "CallerName": self.caller_name,
            # "The call secure ID. This value remains the same throughout the call." [doc]
            "CallSid": self.request_sid,
            # busy, cancel, completed, failed, noanswer; "completed" mid-call (LIVE_STATUS)
            "CallStatus": status,
            "Direction": self.direction,  # "inbound" or "outbound" [doc]
            # "the phone number in the Diversion header, if available" [doc]: a simulated
            # call has no Diversion header, so it is empty.
            "ForwardedFrom": "",
            # "The calling party phone number, formatted in E.164" (sample without +) [doc]
            "From": digits_of(self.from_number),
            # "The unformatted number received directly from the carrier" [doc]
            "OriginalFrom": self.from_number,
            "OriginalTo": self.to_number,  # "The dialed number in its raw form" [doc]
            # "The URL of the FlexML that was running to trigger the current request" [doc]
            "RequestUrl": request_url,
            "To": digits_of(self.to_number),  # its row is cut off; the sample has digits, as From
            **self.extra,
        }


def dashed_sid(sid: str) -> str:
    """A call SID written as 32 hex digits (as requests carry it) in the API's dashed form;
    anything that is not a UUID as it is."""
    import uuid

    try:
        return str(uuid.UUID(sid))
    except ValueError:
        return sid


def digits_of(number: str) -> str:
    """The ASCII digits of a phone number (From and To carry only those)."""
    return "".join(c for c in number if c.isascii() and c.isdigit())
