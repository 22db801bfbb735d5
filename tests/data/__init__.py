"""Test data that several test modules share, kept as files: read them with `data_text`,
`data_json` or `data_path`.

- menu.flexproj: a project whose entry flow `menu` gathers one digit for `choice`, and whose
  `main` says Welcome and redirects to the menu.
- press_one.flexproj: a project whose entry flow `main` gathers one digit ("Press 1") for
  `choice`, which says "Thanks for pressing" and hangs up.
- carrierx_request.json: what CarrierX POSTs to an application URL (FLEXML.md §3), every
  field, with JSON types kept (FinishKey is null).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent


def data_path(name: str) -> Path:
    """The path of the data file `name`; a missing file is an error here, not later."""
    path = DATA / name
    if not path.is_file():
        raise FileNotFoundError(f"no test data file {name!r} in {DATA}")
    return path


def data_text(name: str) -> str:
    return data_path(name).read_text("utf-8")


def data_json(name: str) -> Any:
    """A fresh copy each time, so a test may change what it got."""
    return json.loads(data_text(name))
