"""The deployable app's Qt-free parts without a server: where `flow:` references point,
when the project is read again, what /healthz and the request log say."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from gui.core.server import RequestRecord
from gui.core.server.app import ServedProject, base_url, file_stamp, log_request
from gui.core.switches import Decision

PROJECT = """\
<?xml version="1.0" encoding="UTF-8"?>
<flexml-project format="1" entry="main">
  <flow name="main">
    <Response>
      <Say>TEXT</Say>
      <Redirect>flow:main</Redirect>
    </Response>
  </flow>
</flexml-project>
"""


def write(path: Path, text: str) -> None:
    part = path.with_suffix(".part")
    part.write_text(PROJECT.replace("TEXT", text), "utf-8")
    os.replace(part, path)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    project = tmp_path / "app.flexproj"
    write(project, "one")
    return project


@pytest.mark.parametrize(
    ("public_url", "token", "expected"),
    [
        (None, None, "/"),
        (None, "T0k", "/t/T0k"),
        ("https://ivr.example.com", None, "https://ivr.example.com"),
        ("https://ivr.example.com/voice/", "T0k", "https://ivr.example.com/voice/t/T0k"),
        ("", None, "/"),
    ],
)
def test_references_resolve_against_the_public_url_or_the_asked_host(public_url, token, expected):
    assert base_url(public_url, token) == expected


def test_without_a_public_url_a_reference_is_a_path_under_the_token(path):
    served = ServedProject(path, token="T0k")
    assert b"<Redirect>/t/T0k/flows/main</Redirect>" in served.snapshot.flows["main"]


def test_the_file_is_read_again_only_when_it_changed_and_a_broken_one_only_once(path, caplog):
    served = ServedProject(path)
    assert not served.changed()
    assert served.reload_if_changed() is False  # nothing to do
    assert served.reloads == 0

    write(path, "two")
    assert served.changed()
    assert served.reload_if_changed() is True
    assert b"two" in served.snapshot.flows["main"]

    caplog.set_level(logging.ERROR, logger="gui.core.server.app")
    path.write_text("<flexml-project", "utf-8")
    assert served.reload_if_changed() is False
    assert served.reload_if_changed() is False  # the same broken file: not read again
    assert len(caplog.records) == 1
    assert b"two" in served.snapshot.flows["main"]
    assert served.reload_error is not None and "app.flexproj" in served.reload_error


def test_file_stamp_sees_a_replaced_file_and_a_missing_one(path):
    before = file_stamp(path)
    write(path, "one")  # same size, maybe the same time: a new inode all the same
    assert file_stamp(path) != before
    path.unlink()
    assert file_stamp(path) is None


def test_health_says_what_is_served_and_nothing_secret(path):
    served = ServedProject(path, token="T0k", public_url="https://ivr.example.com")
    health = served.health()
    assert health["status"] == "ok"
    assert (health["project"], health["flows"], health["switches"]) == ("app.flexproj", 1, 0)
    assert (health["entry"], health["reloads"], health["reload_error"]) == ("main", 0, None)
    assert "T0k" not in repr(health) and str(path.parent) not in repr(health)


def test_a_request_log_line_names_the_switch_and_escapes_what_the_caller_sent(caplog):
    caplog.set_level(logging.INFO, logger="gui.core.server.app.requests")
    record = RequestRecord(
        0.0,
        "POST",
        "/flows/route\r\nforged",
        {"CallSid": "sid\n1", "From": "15551230000"},
        200,
        42,
        1.25,
        decisions=(Decision("route", "Digits", "2", 1, "2", "support"),),
    )
    log_request(record)
    (line,) = [r.getMessage() for r in caplog.records]
    assert line == (
        "POST /flows/route\\r\\nforged -> 200 (42 B, 1.2 ms) CallSid=sid\\n1 "
        "[switch route: Digits -> 2 -> support]"
    )
