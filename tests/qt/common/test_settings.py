"""Typed settings: declared keys only, every type through a real ini file, recent files."""

import itertools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QSettings

from gui.core.settings import RECENT_LIMIT, SETTINGS
from gui.qt.common.settings import SettingsStore
from tests.conftest import ROOT

INI = QSettings.Format.IniFormat

# Awkward values of every declared type: what the ini format quotes, escapes or guesses at.
SAMPLES = {
    bytes: [b"", b"\x00\x01\xff\n@ByteArray(x)\\", bytes(range(256))],
    list: [
        [],
        ["only, one"],
        ["/home/me/a b,c.flexproj", 'C:\\x\\"q".flexproj', "@at", "ü 名前", "true", "1"],
    ],
    bool: [True, False],
    int: [0, 8080, 65535, -1],
    str: ["", "plain", "a,b", "@Variant(x)", "123", "true", " spaced ", "two\nlines", "ü;#=[x]"],
}

_copies = itertools.count()


@pytest.fixture(autouse=True)
def _user_settings_in_temp():
    # WORKAROUND: Qt reads XDG_CONFIG_HOME once per process and keeps the folder, so without
    # this a default QSettings in a later test would write into an earlier test's folder.
    QSettings.setPath(INI, QSettings.Scope.UserScope, os.environ["XDG_CONFIG_HOME"])


def _store(path: Path) -> SettingsStore:
    return SettingsStore(QSettings(str(path), INI))


def _reopened(path: Path) -> SettingsStore:
    """A new QSettings reading the file from disk. Qt caches a file's values per process by
    name, so it is a copy: the same name would hand back the values set, not the file's."""
    copy = path.with_name(f"copy-{next(_copies)}.ini")
    shutil.copyfile(path, copy)
    return _store(copy)


def test_every_declared_type_has_samples():
    assert {s.type for s in SETTINGS} <= set(SAMPLES)


def test_unset_settings_read_as_their_defaults(tmp_path):
    store = _store(tmp_path / "settings.ini")
    for setting in SETTINGS:
        value = store.get(setting.key)
        assert value == setting.default and type(value) is setting.type


@pytest.mark.parametrize(
    ("key", "value"),
    [(s.key, v) for s in SETTINGS for v in SAMPLES[s.type]],
    ids=lambda x: repr(x)[:30] if not isinstance(x, str) or "/" not in x else x,
)
def test_every_setting_round_trips_through_an_ini_file(tmp_path, key, value):
    path = tmp_path / "settings.ini"
    store = _store(path)
    store.set(key, value)
    assert store.sync()
    assert path.is_file()
    back = _reopened(path).get(key)
    assert back == value
    assert type(back) is type(value)


def test_bytes_are_stored_as_byte_arrays_not_pickles(tmp_path):
    path = tmp_path / "settings.ini"
    store = _store(path)
    store.set("window/geometry", b"\x01\x02geometry")
    store.set("window/state", QByteArray(b"\x00state"))  # what saveState() hands over
    assert store.sync()
    text = path.read_text(encoding="utf-8")
    assert "@ByteArray(" in text and "PyObjectWrapper" not in text
    reopened = _reopened(path)
    assert reopened.get("window/geometry") == b"\x01\x02geometry"
    assert reopened.get("window/state") == b"\x00state"


def test_undeclared_keys_are_refused(tmp_path):
    path = tmp_path / "settings.ini"
    store = _store(path)
    with pytest.raises(KeyError, match=r"'files/recnt' is not a setting declared.*'files/recent'"):
        store.get("files/recnt")
    with pytest.raises(KeyError, match="'no/such-key' is not a setting declared"):
        store.set("no/such-key", "value")
    assert store.sync()
    assert not path.exists() or "such-key" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("app/first-start-done", "yes"),
        ("app/first-start-done", 1),
        ("files/recent", "/one/path.flexproj"),
        ("files/recent", [Path("/a/path.flexproj")]),
        ("window/geometry", "not bytes"),
        ("files/last-folder", b"/bytes/folder"),
        ("files/last-folder", Path("/a/folder")),
        ("server/port", "8080"),
        ("server/port", True),
    ],
)
def test_values_of_another_type_are_refused(tmp_path, key, value):
    store = _store(tmp_path / "settings.ini")
    with pytest.raises(TypeError, match=f"setting '{key}' holds"):
        store.set(key, value)
    assert store.get(key) == next(s.default for s in SETTINGS if s.key == key)


def test_hand_edited_nonsense_reads_as_defaults(tmp_path):
    path = tmp_path / "settings.ini"
    path.write_text(
        "[app]\nfirst-start-done=maybe\n"
        "[window]\ngeometry=not a byte array\n"
        "[files]\nrecent=@Invalid()\nlast-folder=/kept/as/text\n"
        "[server]\nport=eighty\n",
        encoding="utf-8",
    )
    store = _store(path)
    assert store.get("app/first-start-done") is False
    assert store.get("window/geometry") == b""
    assert store.get("files/recent") == []
    assert store.get("files/last-folder") == "/kept/as/text"
    assert store.get("server/port") == 0


def test_default_store_lives_under_xdg_config_home():
    config = Path(os.environ["XDG_CONFIG_HOME"])
    store = SettingsStore()
    expected = config / "FlexML Studio" / "flexml-studio.ini"
    assert Path(store.qsettings.fileName()) == expected
    store.set("files/last-folder", "/somewhere")
    assert store.sync()
    assert expected.is_file()
    assert _reopened(expected).get("files/last-folder") == "/somewhere"


def test_default_store_in_a_fresh_process_writes_only_under_xdg_config_home(tmp_path):
    # A new process reads XDG_CONFIG_HOME itself, without the setPath of the fixture.
    home = tmp_path / "home"
    config = tmp_path / "config"
    home.mkdir()
    code = (
        "import json\n"
        "from gui.qt.common.settings import SettingsStore\n"
        "store = SettingsStore()\n"
        "store.set('app/first-start-done', True)\n"
        "print(json.dumps([store.qsettings.fileName(), store.sync()]))\n"
    )
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(config)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    file_name, synced = json.loads(result.stdout)
    assert synced
    assert Path(file_name) == config / "FlexML Studio" / "flexml-studio.ini"
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [Path(file_name)]
    assert _reopened(Path(file_name)).get("app/first-start-done") is True


def _files(folder: Path, *names: str) -> list[str]:
    paths = []
    for name in names:
        path = folder / name
        path.write_text("<flexml-project format='1'/>")
        paths.append(str(path))
    return paths


def test_recent_files_newest_first_without_duplicates(tmp_path):
    a, b, c = _files(tmp_path, "a.flexproj", "b.flexproj", "c.flexproj")
    path = tmp_path / "settings.ini"
    store = _store(path)
    assert store.recent_files() == []
    for p in (a, b, c):
        store.add_recent_file(p)
    assert store.recent_files() == [c, b, a]
    store.add_recent_file(Path(a))  # opened again: moves to the front, once
    assert store.recent_files() == [a, c, b]
    store.remove_recent_file(c)
    store.remove_recent_file(tmp_path / "never-added.flexproj")
    assert store.recent_files() == [a, b]
    assert store.sync()
    assert _reopened(path).recent_files() == [a, b]


def test_recent_files_are_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    [relative] = _files(Path("."), "rel.flexproj")
    store = _store(tmp_path / "settings.ini")
    store.add_recent_file(relative)
    assert store.recent_files() == [str(tmp_path / "rel.flexproj")]
    store.remove_recent_file("rel.flexproj")
    assert store.recent_files() == []


def test_recent_files_skip_missing_files_and_keep_the_limit(tmp_path):
    store = _store(tmp_path / "settings.ini")
    paths = _files(tmp_path, *(f"p{i:02}.flexproj" for i in range(RECENT_LIMIT + 2)))
    for p in paths:
        store.add_recent_file(p)
    newest_first = paths[::-1]
    assert store.recent_files() == newest_first[:RECENT_LIMIT]
    assert len(store.get("files/recent")) == RECENT_LIMIT
    Path(newest_first[0]).unlink()
    assert store.recent_files() == newest_first[1:RECENT_LIMIT]
    # A missing file is only hidden: it is listed again once it is back (a remounted drive).
    Path(newest_first[0]).write_text("back")
    assert store.recent_files() == newest_first[:RECENT_LIMIT]
