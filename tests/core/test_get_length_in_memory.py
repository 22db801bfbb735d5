"""A run in memory sends what the flow server would be sent: a GET to one of the project's
own flows whose fields (stored data, mostly) would make the served URL too long ends the call
with the same error as over HTTP, so `simulate`, `test` and the Simulator agree with the
served project (POST carries the fields in its body and goes on)."""

from __future__ import annotations

from gui.core.runtime import Error, Say
from gui.core.runtime.http_source import MAX_URL_LENGTH
from tests.core.test_runtime import ended, of, simulate

NEXT = ("next", "<Response><Say>next</Say></Response>")


def flow(size: int, method: str) -> tuple[str, str]:
    return (
        "main",
        f'<Response><Store name="big">{"x" * size}</Store>'
        f'<Redirect method="{method}">flow:next</Redirect></Response>',
    )


def test_a_get_to_a_project_flow_too_long_to_serve_ends_the_call_saying_why():
    events = simulate(flow(70_000, "GET"), NEXT)
    (error,) = of(events, Error)
    assert error.message.startswith(
        "GET http://project.invalid/flows/next: with its fields in the query string the URL "
        "would be "
    )
    assert f"more than the {MAX_URL_LENGTH:,} FlexML Studio sends" in error.message
    assert "CarrierX would need POST for this request" in error.message
    assert ended(events).call_status == "failed" and not of(events, Say)


def test_the_same_data_by_post_or_a_shorter_get_goes_on():
    for events in (simulate(flow(70_000, "POST"), NEXT), simulate(flow(60_000, "GET"), NEXT)):
        assert not of(events, Error)
        assert [say.text for say in of(events, Say)] == ["next"]
