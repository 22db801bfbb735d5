"""What a request's record and its `serve --json` line are made of, made the quick way.

The flow server builds a request's record without the dataclass's __init__, `fits` joins a
request's text in C, the local time of a record is formatted once a second, and `serve
--json` writes its line without json.dumps: each must give exactly what the plain way gives.
The records come from a real `FlowServer` over loopback HTTP where a request makes them.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import random
import time
from collections.abc import Iterator
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gui.commands.serve import json_line
from gui.core.server import RequestRecord
from gui.core.server.records import RECORD_TEXT, fits, local_time, within_limits
from gui.core.switches import Decision
from tests.data import data_json

CARRIERX_BODY = data_json("carrierx_request.json")
ZONES = ("America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata", "UTC")


def plain_time(at: float) -> str:
    return datetime.fromtimestamp(at).astimezone().isoformat("T", "milliseconds")


@pytest.fixture
def zone(request) -> Iterator[str]:
    """The process's local time zone set to request.param, and set back after."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    try:
        yield request.param
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


def _changes(start: int, hours: int) -> list[int]:
    """The hours after `start` at which the local UTC offset changes."""
    found = []
    offset = datetime.fromtimestamp(start).astimezone().utcoffset()
    for hour in range(1, hours):
        moment = start + hour * 3600
        now = datetime.fromtimestamp(moment).astimezone().utcoffset()
        if now != offset:
            found.append(moment)
            offset = now
    return found


@pytest.mark.parametrize("zone", ZONES, indirect=True)
def test_local_time_is_what_datetime_says_across_offset_changes(zone):
    rng = random.Random(17)
    moments = [rng.uniform(0, 2e9) for _ in range(5000)]
    # Fractions that round up into the next second, and every millisecond of a second.
    moments += [math.floor(m) + 0.9999995 + k * 1e-7 for m in moments[:200] for k in range(-3, 4)]
    moments += [1_750_000_000 + k / 1000 for k in range(2000)]
    for change in _changes(1_767_225_600, 366 * 24):  # 2026: the hour around each change
        moments += [change - 3600 + s + f for s in range(0, 7200, 3) for f in (0.0, 0.9999996)]
    for at in [*moments, *sorted(moments)]:  # a new second each time, then mostly the same
        assert local_time(at) == plain_time(at), at


def test_a_record_as_the_server_makes_it_is_the_dataclass_record():
    args = (1_750_000_000.25, "POST", "/flows/main", dict(CARRIERX_BODY), 200, 321, 0.5, b"<x/>")
    made = within_limits(*args)
    plain = RequestRecord(*args)
    assert type(made) is RequestRecord
    assert made == plain and hash(made) == hash(plain) and repr(made) == repr(plain)
    every = {f.name: getattr(plain, f.name) for f in dataclasses.fields(RequestRecord)}
    assert vars(made) == every  # a field added to RequestRecord must be added there too
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.status = 500  # type: ignore[misc]


@pytest.mark.parametrize(
    ("params", "kept"),
    [
        ({}, True),
        (CARRIERX_BODY, True),
        ({"k": "v" * (RECORD_TEXT - 1)}, True),
        ({"k": "v" * RECORD_TEXT}, False),
        ({f"f{i}": "" for i in range(64)}, True),
        ({f"f{i}": "" for i in range(65)}, False),
        ({"a": "x", "n": 5, "f": 1.5, "b": True, "z": None}, True),
        ({"a": "v" * (RECORD_TEXT - 20), "n": 5}, True),  # a number counts 16
        ({"a": "v" * (RECORD_TEXT - 10), "n": 5}, False),
        ({"a": "x", "d": {"nested": "1"}}, False),
        ({"a": "x", "n": 2**63}, False),
    ],
)
def test_fits_keeps_what_the_limits_allow(params, kept):
    assert fits(params) is kept


def test_the_records_of_real_requests_are_kept_as_sent(flow_server, http):
    """A CarrierX POST's record holds its fields as they were sent, whichever header the
    body came with; one of another type is parsed by aiohttp's rules as before."""
    url = flow_server.flow_urls()["main"]
    for content_type in (
        "application/json",
        "application/json; charset=utf-8",
        "application/json; charset=UTF-8",
        "Application/JSON;charset=utf-8",  # not one known as it is: parsed
        "application/vnd.carrierx+json",
    ):
        body = json.dumps(CARRIERX_BODY).encode()
        response = http.post(url, content=body, headers={"Content-Type": content_type})
        assert response.status_code == 200
        record = flow_server.records()[-1]
        assert record.params == CARRIERX_BODY, content_type
        assert (record.size, record.cut) == (len(response.content), "")
    for content_type in ("application/x-www-form-urlencoded", "text/plain"):
        response = http.post(
            f"{url}?Lang=en",
            content=b"CallSid=abc&Digits=1",
            headers={"Content-Type": content_type},
        )
        assert flow_server.records()[-1].params == {"Lang": "en", "CallSid": "abc", "Digits": "1"}


def test_a_json_line_is_json_dumps_of_the_record(flow_server, http):
    """The lines of real records: a flow, a status callback, a 404 and a cut request."""
    url = flow_server.flow_urls()["main"]
    http.post(url, json=CARRIERX_BODY)
    http.get(f"{flow_server.url}/status", params={"CallStatus": "ringing", "Ü": "é\u2028"})
    http.get(f"{flow_server.url}/nope")
    http.post(url, json={f"F{i}": str(i) for i in range(100)})
    records = flow_server.records()
    assert records[-1].cut  # the last one was cut: the line takes the plain way
    for record in records:
        line = json_line(record)
        assert line == json.dumps(record.as_dict())
        assert json.loads(line)["params"] == record.params


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
DECISIONS = st.lists(
    st.builds(
        Decision,
        switch=st.text(min_size=1),
        parameter=st.text(),
        value=st.none() | st.text(),
        case=st.none() | st.integers(0, 9),
        label=st.text(),
        goto=st.text(),
    ),
    max_size=2,
).map(tuple)


@settings(max_examples=300, deadline=None)
@given(
    at=st.floats(0, 4e9),
    method=st.text(max_size=8),
    path=st.text(max_size=40),
    params=st.dictionaries(st.text(max_size=10), JSON_VALUES, max_size=6),
    status=st.integers(100, 599),
    size=st.integers(0, 2**40),
    latency=st.floats(allow_nan=True, allow_infinity=True) | st.integers(0, 10**6),
    decisions=DECISIONS,
    cut=st.sampled_from(["", "kept 64 of 100 fields"]),
)
def test_any_record_makes_the_line_json_dumps_makes(
    at, method, path, params, status, size, latency, decisions, cut
):
    record = RequestRecord(at, method, path, params, status, size, latency, b"", decisions, cut)
    assert json_line(record) == json.dumps(record.as_dict())


def test_local_time_follows_a_change_of_time_zone_within_the_same_second(monkeypatch):
    # The second's local time is remembered: a zone changed (time.tzset) within it must not
    # keep the old offset.
    import time

    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is POSIX only")
    at = 1765000000.25
    try:
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()
        assert local_time(at) == plain_time(at)
        monkeypatch.setenv("TZ", "Asia/Tokyo")
        time.tzset()
        assert local_time(at).endswith("+09:00")
        assert local_time(at) == plain_time(at)
    finally:
        monkeypatch.undo()
        time.tzset()
