"""Shared test set-up: Qt runs offscreen, and nothing touches the user's real settings or
keyring."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Point HOME and the XDG folders at a temporary place for every test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    return home


@pytest.fixture(autouse=True)
def _no_real_keyring(monkeypatch):
    """Keep secrets out of the user's real keyring: keyring's fail backend in this process,
    and in subprocesses through PYTHON_KEYRING_BACKEND. A test that needs a working keyring
    installs an in-memory one with keyring.set_keyring."""
    import keyring
    import keyring.backends.fail

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def http():
    """An HTTP client for servers on 127.0.0.1 (no proxy from the environment)."""
    import httpx

    with httpx.Client(trust_env=False, timeout=10) as client:
        yield client
