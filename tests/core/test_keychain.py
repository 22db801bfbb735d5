"""The Keychain: the system keyring when there is one, else the session, else a 0600 file."""

import json
import logging
import os
import stat
import subprocess
import sys

import keyring
import keyring.backend
import keyring.errors
import pytest

from gui.core.keychain import CORE_TOKEN, FILE_WARNING, PASSWORD, Keychain
from tests.conftest import ROOT


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A working keyring that keeps its secrets in a dict (tests only)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.secrets.get((service, username))

    def set_password(self, service, username, password):
        self.secrets[(service, username)] = password

    def delete_password(self, service, username):
        if self.secrets.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


class LockedKeyring(MemoryKeyring):
    """A keyring that answers at first, then fails (locked, its D-Bus service gone)."""

    def __init__(self) -> None:
        super().__init__()
        self.locked = False

    def get_password(self, service, username):
        if self.locked:
            raise keyring.errors.KeyringError("the collection is locked")
        return super().get_password(service, username)

    def set_password(self, service, username, password):
        if self.locked:
            raise keyring.errors.KeyringError("the collection is locked")
        super().set_password(service, username, password)


class BrokenKeyring(MemoryKeyring):
    """A keyring that claims a high priority but cannot be reached at all."""

    def get_password(self, service, username):
        raise RuntimeError("org.freedesktop.secrets was not provided by any .service files")


@pytest.fixture
def memory():
    backend = MemoryKeyring()
    keyring.set_keyring(backend)  # the autouse fixture puts the fail backend back
    return backend


@pytest.fixture
def secrets_file(tmp_path):
    return tmp_path / "data" / "secrets.json"


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


# -- with a working keyring ------------------------------------------------------------


def test_secrets_go_to_the_keyring_and_come_back(memory, secrets_file):
    keychain = Keychain(file_path=secrets_file)
    assert keychain.available and keychain.problem is None
    assert keychain.backend_name == "MemoryKeyring"
    assert keychain.where() == (
        "Passwords and tokens are kept in the system keyring (MemoryKeyring)."
    )
    keychain.set("Production", PASSWORD, "s3cret")
    keychain.set("Production", CORE_TOKEN, "tok-1")
    assert keychain.get("Production", PASSWORD) == "s3cret"
    assert keychain.get("Production", CORE_TOKEN) == "tok-1"
    assert keychain.get("Staging", PASSWORD) is None
    assert memory.secrets == {
        ("flexml-studio", "password:Production"): "s3cret",
        ("flexml-studio", "core-token:Production"): "tok-1",
    }
    # A second Keychain (a later start) finds them; nothing was written to a file.
    assert Keychain(file_path=secrets_file).get("Production", PASSWORD) == "s3cret"
    assert not secrets_file.exists()


def test_empty_value_and_delete_forget_and_deleting_nothing_is_fine(memory, secrets_file):
    keychain = Keychain(file_path=secrets_file)
    keychain.set("P", PASSWORD, "one")
    keychain.set("P", PASSWORD, "")
    assert keychain.get("P", PASSWORD) is None
    keychain.set("P", CORE_TOKEN, "tok")
    keychain.delete("P", CORE_TOKEN)
    keychain.delete("P", CORE_TOKEN)
    keychain.delete("Never", PASSWORD)
    assert memory.secrets == {}
    assert keychain.available


def test_rename_and_delete_profile_move_and_forget_every_kind(memory, secrets_file):
    keychain = Keychain(file_path=secrets_file)
    keychain.set("Old", PASSWORD, "pw")
    keychain.set("Old", CORE_TOKEN, "tok")
    keychain.set("Other", PASSWORD, "other")
    keychain.rename("Old", "New")
    assert keychain.get("Old", PASSWORD) is None and keychain.get("Old", CORE_TOKEN) is None
    assert keychain.get("New", PASSWORD) == "pw" and keychain.get("New", CORE_TOKEN) == "tok"
    keychain.delete_profile("New")
    assert keychain.get("New", PASSWORD) is None and keychain.get("New", CORE_TOKEN) is None
    assert keychain.get("Other", PASSWORD) == "other"


def test_unknown_kind_is_a_programming_error(memory, secrets_file):
    with pytest.raises(ValueError, match="kind of secret"):
        Keychain(file_path=secrets_file).set("P", "pin", "1234")


def test_service_name_separates_installations(memory, secrets_file):
    Keychain("flexml-studio-test", file_path=secrets_file).set("P", PASSWORD, "a")
    assert Keychain(file_path=secrets_file).get("P", PASSWORD) is None


# -- without one -----------------------------------------------------------------------


def test_fail_backend_keeps_secrets_for_the_session_only(secrets_file):
    keychain = Keychain(file_path=secrets_file)  # the autouse fixture's fail backend
    assert not keychain.available
    assert keychain.backend_name == "fail"
    assert "No system keyring" in keychain.problem
    assert "for this session only" in keychain.where()
    keychain.set("P", PASSWORD, "pw")
    assert keychain.get("P", PASSWORD) == "pw"
    keychain.rename("P", "Q")
    assert keychain.get("Q", PASSWORD) == "pw"
    assert not secrets_file.exists()
    assert Keychain(file_path=secrets_file).get("Q", PASSWORD) is None  # a new session


def test_null_backend_and_a_broken_one_are_unavailable(secrets_file):
    import keyring.backends.null

    keyring.set_keyring(keyring.backends.null.Keyring())
    assert not Keychain(file_path=secrets_file).available
    keyring.set_keyring(BrokenKeyring())
    keychain = Keychain(file_path=secrets_file)
    assert not keychain.available
    assert "org.freedesktop.secrets" in keychain.problem
    keychain.set("P", PASSWORD, "pw")
    assert keychain.get("P", PASSWORD) == "pw"


def test_a_keyring_failing_later_falls_back_with_a_problem(secrets_file, caplog):
    backend = LockedKeyring()
    keyring.set_keyring(backend)
    keychain = Keychain(file_path=secrets_file)
    assert keychain.available
    backend.locked = True
    with caplog.at_level(logging.WARNING):
        keychain.set("P", PASSWORD, "the-secret-value")
    assert not keychain.available
    assert "stopped working (the collection is locked)" in keychain.problem
    assert "for this session only" in keychain.where()
    assert keychain.get("P", PASSWORD) == "the-secret-value"
    assert "the-secret-value" not in caplog.text
    assert "locked" in caplog.text


def test_file_opt_in_creates_a_private_file_that_a_later_start_uses(secrets_file):
    keychain = Keychain(file_path=secrets_file)
    keychain.set("P", PASSWORD, "before")  # held in memory, then written on opt-in
    old_umask = os.umask(0o022)
    try:
        keychain.use_file(True)
    finally:
        os.umask(old_umask)
    assert keychain.using_file
    assert mode(secrets_file) == 0o600
    assert "secrets.json" in keychain.where() and "0600" in keychain.where()
    keychain.set("P", CORE_TOKEN, "tok")
    assert mode(secrets_file) == 0o600
    data = json.loads(secrets_file.read_text())
    assert data == {"version": 1, "secrets": {"P": {"password": "before", "core-token": "tok"}}}
    assert not [p for p in secrets_file.parent.iterdir() if p.name.endswith(".tmp")]

    later = Keychain(file_path=secrets_file)
    assert later.using_file
    assert later.get("P", PASSWORD) == "before"
    later.use_file(False)
    assert not secrets_file.exists()
    assert later.get("P", PASSWORD) == "before"  # still there for this session
    assert "for this session only" in later.where()


def test_file_warning_says_it_is_not_encrypted():
    assert Keychain.file_warning == FILE_WARNING
    assert "not encrypted" in FILE_WARNING


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_a_file_others_can_read_is_refused(secrets_file):
    secrets_file.parent.mkdir(parents=True)
    secrets_file.write_text(json.dumps({"version": 1, "secrets": {"P": {"password": "leaked"}}}))
    secrets_file.chmod(0o640)
    keychain = Keychain(file_path=secrets_file)
    assert keychain.using_file
    assert keychain.get("P", PASSWORD) is None
    assert "was ignored because other users may open it (mode 0640" in keychain.problem
    # Saving a secret replaces it with a private file.
    keychain.set("P", PASSWORD, "fresh")
    assert mode(secrets_file) == 0o600
    assert "leaked" not in secrets_file.read_text()
    assert "ignored" not in keychain.problem


def test_a_damaged_file_is_ignored(secrets_file):
    secrets_file.parent.mkdir(parents=True)
    secrets_file.write_text("{not json")
    secrets_file.chmod(0o600)
    keychain = Keychain(file_path=secrets_file)
    assert keychain.get("P", PASSWORD) is None
    assert "is damaged and was ignored" in keychain.problem


def test_the_file_is_ignored_while_a_keyring_works(memory, secrets_file):
    secrets_file.parent.mkdir(parents=True)
    secrets_file.write_text(json.dumps({"version": 1, "secrets": {"P": {"password": "x"}}}))
    secrets_file.chmod(0o600)
    keychain = Keychain(file_path=secrets_file)
    assert keychain.available and not keychain.using_file
    assert keychain.get("P", PASSWORD) is None


def test_subprocesses_get_the_fail_backend_too():
    # The autouse fixture's PYTHON_KEYRING_BACKEND reaches child processes.
    out = subprocess.run(
        [sys.executable, "-c", "import keyring; print(type(keyring.get_keyring()).__module__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    assert out.strip() == "keyring.backends.fail"
