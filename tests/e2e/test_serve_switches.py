"""`flexml-studio serve` with switches, run as a real program over loopback HTTP: the header
lists the switches' URLs, a switch answers the chosen flow, and each request line says what
the switch chose."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest

from tests.data import data_json
from tests.e2e.test_serve_cli import Served

CARRIERX_BODY = data_json("carrierx_request.json")


@pytest.fixture
def work(tmp_path: Path) -> Path:
    source = resources.files("gui.resources").joinpath("templates/ivr-menu.flexproj")
    (tmp_path / "ivr.flexproj").write_text(source.read_text("utf-8"), "utf-8")
    return tmp_path


@pytest.fixture
def serve(work) -> Iterator:
    started: list[Served] = []

    def start(*args: str) -> Served:
        served = Served(*args, cwd=work)
        started.append(served)
        return served

    yield start
    for served in started:
        served.kill()


def test_json_mode_lists_switches_and_logs_each_decision(serve, http):
    served = serve("ivr.flexproj", "--json")
    header = served.header()
    base = header["url"]
    assert list(header["flows"]) == ["menu", "menu-again", "sales", "support", "goodbye"]
    assert header["switches"] == {
        "route": f"{base}/flows/route",
        "route-again": f"{base}/flows/route-again",
    }
    response = http.post(header["switches"]["route"], json={**CARRIERX_BODY, "Digits": "2"})
    assert response.status_code == 200 and b"You have reached support" in response.content
    line = json.loads(served.line(timeout=5))
    assert (line["path"], line["status"]) == ("/flows/route", 200)
    assert line["switches"] == [
        {"switch": "route", "parameter": "Digits", "value": "2", "case": "2", "goto": "support"}
    ]
    code, err, _rest = served.end(signal.SIGTERM)
    assert code == 0, err


def test_text_mode_shows_the_switches_and_what_they_chose(serve, http):
    served = serve("ivr.flexproj")
    lines = [served.line(timeout=30) for _ in range(10)]
    assert lines[-1] == "Press Ctrl+C to stop.\n"
    assert lines[0].startswith("Serving 5 flows and 2 switches at http://127.0.0.1:")
    base = lines[0].split(" at ", 1)[1].strip()
    assert lines[6].split() == ["route", f"{base}/flows/route", "(switch:", "answers", "the",
                                "flow", "it", "chooses)"]  # fmt: skip
    http.get(f"{base}/flows/route", params={"Digits": "7"})
    logged = served.line(timeout=5)
    assert "GET /flows/route -> 200" in logged
    assert logged.rstrip().endswith("[switch route: Digits=7 -> otherwise -> menu-again]")
    code, err, _rest = served.end(signal.SIGTERM)
    assert code == 0 and err == "", err
