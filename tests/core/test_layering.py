"""The core stays Qt-free, and every package directory ships in the wheel."""

import subprocess
import sys
import tomllib

from tests.conftest import ROOT

QT_MODULES = ("PySide6", "shiboken6", "qasync", "gui.qt")


def _modules(package_dir):
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_core_and_commands_import_no_qt():
    modules = [*_modules(ROOT / "gui" / "core"), *_modules(ROOT / "gui" / "commands"), "gui.cli"]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m.startswith({QT_MODULES!r}))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
    assert len(modules) > 10


def test_every_package_is_listed_for_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    on_disk = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "gui").rglob("__init__.py")
    }
    assert on_disk <= listed, f"add to pyproject packages: {sorted(on_disk - listed)}"
    assert config["package-dir"]["gui.resources"] == "resources"
