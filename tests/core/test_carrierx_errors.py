"""api_error without a network: each status family gets its own type and message.

(The same errors coming out of real HTTP answers are in tests/e2e/test_carrierx_client.py.)
"""

import json

import pytest

from gui.core.carrierx.errors import (
    MAX_ERRORS,
    ApiError,
    AuthError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    RateLimitError,
    ServerError,
    UnsupportedMediaError,
    ValidationError,
    api_error,
)

JSON = "application/json"


def _errors(*pairs: tuple[str | None, str]) -> bytes:
    return json.dumps(
        {"errors": [{"field": field, "message": message} for field, message in pairs]}
    ).encode()


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, BadRequestError),
        (401, AuthError),
        (403, ForbiddenError),
        (404, NotFoundError),
        (409, ConflictError),
        (415, UnsupportedMediaError),
        (422, ValidationError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
        (599, ServerError),
        (402, ApiError),
        (418, ApiError),
        (600, ApiError),
    ],
)
def test_each_status_family_has_its_type(status, kind):
    error = api_error(status, method="GET", path="/calls", body=b"", content_type="")
    assert type(error) is kind
    assert (error.status, error.method, error.path) == (status, "GET", "/calls")


def test_401_names_the_credentials_that_were_sent():
    messages = {
        auth: api_error(401, method="GET", path="/calls", auth=auth).message
        for auth in ("basic", "bearer", "core-basic")
    }
    assert messages["basic"].startswith("the FlexML API login and password were refused (401")
    assert "FlexML endpoint's own login and password" in messages["basic"]
    assert messages["bearer"].startswith("the Core API token was refused (401 Unauthorized for")
    assert messages["core-basic"].startswith("the Core API login and password were refused")
    assert "Core API token" in messages["bearer"] and "Core API token" in messages["core-basic"]


def test_422_lists_every_field_redacted_and_at_most_max_errors():
    pairs = [("to", "is not a number: s3cret"), (None, "too many calls")]
    pairs += [(f"f{i}", "bad") for i in range(MAX_ERRORS)]
    error = api_error(
        422,
        method="POST",
        path="/calls",
        body=_errors(*pairs),
        content_type=JSON,
        secrets=["s3cret"],
    )
    assert isinstance(error, ValidationError)
    assert error.message.startswith(
        "CarrierX refused POST /calls (422 Unprocessable Entity): to: is not a number: ***; "
        "the request: too many calls; f0: bad"
    )
    assert len(error.fields) == MAX_ERRORS and "s3cret" not in repr(error.fields)


def test_404_adds_what_carrierx_said_only_when_it_said_something():
    bare = api_error(404, method="GET", path="/calls/CA1", body=b"<html>gone</html>")
    assert bare.message == (
        "CarrierX has no call CA1 (404 Not Found): the SID may be wrong, or the call has "
        "ended or run already (calls can expire)"
    )
    said = api_error(404, method="GET", path="/nowhere", body=_errors((None, "no such thing")))
    assert said.message.endswith(
        "(the FlexML API is https://api.carrierx.com/flexml/v1); CarrierX said: no such thing"
    )


def test_429_waits_as_long_as_retry_after_says():
    def wait(headers):
        return api_error(429, method="GET", path="/calls", headers=headers)

    assert wait({"Retry-After": "7"}).retry_after == 7.0
    assert "wait 7 seconds before trying again" in wait({"Retry-After": "7"}).message
    assert wait({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}).retry_after == 0.0
    assert wait({"Retry-After": "soon"}).retry_after is None
    assert wait(None).message.endswith("wait a little before trying again")


def test_other_statuses_and_servers_describe_an_unexpected_body():
    error = api_error(
        502,
        method="GET",
        path="/calls",
        body=b"<html><h1>Bad gateway</h1></html>",
        content_type="text/html",
        reason="Bad Gateway",
    )
    assert error.message.endswith(
        "try again later; the answer was not CarrierX's JSON (text/html): 'Bad gateway'"
    )
    teapot = api_error(418, method="GET", path="/calls", reason="I'm a teapot")
    assert teapot.message == (
        "CarrierX answered 418 I'm a teapot to GET /calls; the answer had no body"
    )
