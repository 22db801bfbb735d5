"""Shared end-to-end fixtures: a project on disk, a flow server serving it, a sandbox and a
client logged in to its API, all real and listening on 127.0.0.1.

A module picks what they run with by overriding the small fixtures they read:
`project_file` (which tests/data project), `project` (any Project) and `sandbox_options`
(what Sandbox() is given).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gui.core.project import Project, load
from gui.core.runtime.sandbox import Sandbox
from gui.core.server import FlowServer
from tests.data import data_text


@pytest.fixture
def project_file() -> str:
    """The tests/data project the `project_path` fixture writes."""
    return "menu.flexproj"


@pytest.fixture
def project_path(tmp_path: Path, project_file: str) -> Path:
    path = tmp_path / "app.flexproj"
    path.write_text(data_text(project_file), "utf-8")
    return path


@pytest.fixture
def project(project_path: Path) -> Project:
    return load([project_path])


@pytest.fixture
def flow_server(project: Project) -> Iterator[FlowServer]:
    """A running FlowServer (no token) with `project` published."""
    with FlowServer() as server:
        server.publish_project(project)
        yield server


@pytest.fixture
def sandbox_options() -> dict[str, Any]:
    """Keyword arguments for the `sandbox` fixture's Sandbox."""
    return {}


@pytest.fixture
def sandbox(sandbox_options: dict[str, Any]) -> Iterator[Sandbox]:
    with Sandbox(**sandbox_options) as running:
        yield running


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[httpx.Client]:
    """An HTTP client on the sandbox's FlexML API, logged in with its credentials."""
    auth = (sandbox.credentials.login, sandbox.credentials.password)
    with httpx.Client(base_url=sandbox.api_url, auth=auth, trust_env=False, timeout=10) as c:
        yield c


@pytest.fixture
def free_port() -> int:
    """A loopback port nothing listens on (free when asked; a request to it is refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
