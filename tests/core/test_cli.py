"""The headless `flexml-studio` command, run as a real program: validate and export.

Every test runs the installed entry point (or `python -m gui`) in a subprocess and checks
its stdout, stderr and exit code: 0 fine, 1 problems (not exported), 2 unusable input or a
wrong command line. No user error may end in a Python traceback.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from gui import __version__
from gui.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[2]
EXE = Path(sys.executable).with_name("flexml-studio")
LINE = re.compile(
    r"(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning): "
    r"(?P<code>[a-z0-9-]+) (?P<message>.+)"
)
JSON_KEYS = {"file", "flow", "kind", "line", "column", "severity", "code", "message", "path"}

GOOD = "<Response>\n  <Say>Hello</Say>\n  <Hangup/>\n</Response>\n"
WARN = '<Response>\n  <Say bogus="1">hi</Say>\n  <Hangup/>\n  <Say>never</Say>\n</Response>\n'
ERRORS = '<Response>\n  <Bogus/>\n  <Say loop="500">x</Say>\n</Response>\n'
MALFORMED = "<Response>\n  <Say>unclosed\n</Response>\n"
DOCTYPE = '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY e "x">]>\n<Response>&e;</Response>\n'
PROJECT = """\
<?xml version="1.0" encoding="UTF-8"?>
<flexml-project format="1" entry="menu">
  <setting name="export-base-url" value="https://example.com/app"/>
  <flow name="main">
    <Response>
      <Say>Welcome</Say>
      <Redirect>flow:menu</Redirect>
    </Response>
  </flow>
  <flow name="menu">
    <Response>
      <Gather action="flow:choice" numDigits="1">
        <Say>Press 1</Say>
      </Gather>
    </Response>
  </flow>
  <flow name="choice">
    <Response>
      <Hangup/>
    </Response>
  </flow>
</flexml-project>
"""
MENU_RESOLVED = """\
<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Gather action="https://example.com/app/flows/choice" numDigits="1">
    <Say>Press 1</Say>
  </Gather>
</Response>
"""
BROKEN_PROJECT = """\
<?xml version="1.0" encoding="UTF-8"?>
<flexml-project format="1" entry="main">
  <flow name="main">
    <Response>
      <Say>Hi</Say>
    </Response>
  </flow>
  <flow name="bad">
    <Response>
      <Redirect>flow:gone</Redirect>
    </Response>
  </flow>
</flexml-project>
"""


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run `flexml-studio ARGS` in `cwd`; it must never show a traceback."""
    full_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})}
    result = subprocess.run(
        [str(EXE), *args], cwd=cwd, capture_output=True, timeout=120, env=full_env
    )
    run = Run(
        result.returncode,
        result.stdout.decode("utf-8", "replace"),
        result.stderr.decode("utf-8", "replace"),
    )
    assert "Traceback" not in run.err, run.err
    return run


def one_user_error(run: Run, code: int, *fragments: str) -> None:
    """A user error: nothing on stdout, exactly one `flexml-studio: ...` line on stderr."""
    assert run.code == code, run
    assert run.out == ""
    assert len(run.err_lines) == 1, run.err
    assert run.err_lines[0].startswith("flexml-studio: ")
    for fragment in fragments:
        assert fragment in run.err_lines[0]


@pytest.fixture
def work(tmp_path) -> Path:
    files = {
        "good.xml": GOOD,
        "warn.xml": WARN,
        "errors.xml": ERRORS,
        "malformed.xml": MALFORMED,
        "doctype.xml": DOCTYPE,
        "empty.xml": "",
        "app.flexproj": PROJECT,
        "broken.flexproj": BROKEN_PROJECT,
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, "utf-8")
    return tmp_path


@pytest.fixture
def oversized(work) -> Path:
    path = work / "huge.xml"
    say = "  <Say>" + "x" * 1000 + "</Say>\n"
    path.write_text("<Response>\n" + say * 5300 + "</Response>\n", "utf-8")  # ~5.1 MiB
    assert path.stat().st_size > 5 * 1024 * 1024
    return path


# -- the program itself ------------------------------------------------------------------


def test_entry_point_is_installed():
    assert EXE.is_file()
    assert os.access(EXE, os.X_OK)


def test_version(tmp_path):
    run = cli("--version", cwd=tmp_path)
    assert (run.code, run.out, run.err) == (0, f"flexml-studio {__version__}\n", "")


def test_python_m_gui_is_the_same_command(work):
    result = subprocess.run(
        [sys.executable, "-m", "gui", "validate", "good.xml", "errors.xml"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == "2 files checked: 2 errors, 0 warnings"
    assert "Traceback" not in result.stderr
    version = subprocess.run(
        [sys.executable, "-m", "gui", "--version"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert (version.returncode, version.stdout) == (0, f"flexml-studio {__version__}\n")


def test_help_names_the_commands(tmp_path):
    run = cli("--help", cwd=tmp_path)
    assert run.code == 0
    assert "validate" in run.out
    assert "export" in run.out
    export_help = cli("export", "--help", cwd=tmp_path)
    assert export_help.code == 0
    for option in ("--flow", "--output", "--all", "--base-url", "--compact", "--force"):
        assert option in export_help.out


# -- validate ----------------------------------------------------------------------------


def test_validate_clean_file(work):
    run = cli("validate", "good.xml", cwd=work)
    assert (run.code, run.out, run.err) == (0, "1 file checked: 0 errors, 0 warnings\n", "")


def test_validate_warnings_only_exits_0(work):
    run = cli("validate", "warn.xml", cwd=work)
    assert run.code == 0
    lines = run.out.splitlines()
    assert lines[-1] == "1 file checked: 0 errors, 2 warnings"
    found = [LINE.fullmatch(line) for line in lines[:-1]]
    assert all(found), lines
    assert [(m["file"], m["line"], m["col"], m["severity"], m["code"]) for m in found] == [
        ("warn.xml", "2", "3", "warning", "unknown-attribute"),
        ("warn.xml", "4", "3", "warning", "unreachable"),
    ]
    assert run.err == ""


def test_validate_errors_exit_1_with_one_line_each(work):
    run = cli("validate", "errors.xml", "good.xml", "warn.xml", cwd=work)
    assert run.code == 1
    lines = run.out.splitlines()
    assert lines[0] == "errors.xml:2:3: error: unknown-element <Bogus> is not a FlexML element"
    found = [LINE.fullmatch(line) for line in lines[:-1]]
    assert all(found), lines
    assert [(m["file"], m["line"], m["severity"], m["code"]) for m in found] == [
        ("errors.xml", "2", "error", "unknown-element"),
        ("errors.xml", "3", "error", "out-of-range"),
        ("warn.xml", "2", "warning", "unknown-attribute"),
        ("warn.xml", "4", "warning", "unreachable"),
    ]
    assert lines[-1] == "3 files checked: 2 errors, 2 warnings"
    assert run.err == ""


@pytest.mark.parametrize(
    ("name", "where"), [("malformed.xml", "malformed.xml:3:"), ("empty.xml", "empty.xml:1:1:")]
)
def test_validate_not_well_formed_is_an_error_exit_1(work, name, where):
    run = cli("validate", name, cwd=work)
    assert run.code == 1
    finding, summary = run.out.splitlines()
    assert finding.startswith(where)
    match = LINE.fullmatch(finding)
    assert match
    assert (match["severity"], match["code"]) == ("error", "not-well-formed")
    assert summary == "1 file checked: 1 error, 0 warnings"
    assert run.err == ""


def test_validate_missing_file_exits_2(work):
    run = cli("validate", "good.xml", "missing.xml", cwd=work)
    assert run.code == 2
    assert run.err_lines == ["flexml-studio: missing.xml does not exist"]
    assert run.out == "1 file checked: 0 errors, 0 warnings; 1 file could not be checked\n"


def test_validate_folder_exits_2(work):
    (work / "folder").mkdir()
    run = cli("validate", "folder", cwd=work)
    assert run.code == 2
    assert run.err_lines == ["flexml-studio: folder is a folder, not a file"]


def test_validate_doctype_is_refused_exit_2(work):
    run = cli("validate", "doctype.xml", cwd=work)
    assert run.code == 2
    (line,) = run.err_lines
    assert line.startswith("flexml-studio: doctype.xml: ")
    assert "DOCTYPE" in line
    assert "refused for safety" in line


def test_validate_over_5_mib_is_refused_exit_2(work, oversized):
    run = cli("validate", oversized.name, "good.xml", cwd=work)
    assert run.code == 2
    assert run.err_lines == [
        "flexml-studio: huge.xml: the file is 5.1 MiB; files over 5 MiB are refused"
    ]
    assert run.out.endswith("; 1 file could not be checked\n")


def test_validate_unusable_beats_errors_for_the_exit_code(work):
    run = cli("validate", "errors.xml", "missing.xml", cwd=work)
    assert run.code == 2
    assert "errors.xml:2:3: error: unknown-element" in run.out


def test_validate_project_checks_references_between_flows(work):
    run = cli("validate", "app.flexproj", "broken.flexproj", cwd=work)
    assert run.code == 1
    assert run.out.splitlines() == [
        "broken.flexproj:10:7: error: unknown-flow Redirect text: flow:gone refers to a flow "
        "this project does not have [flow bad]",
        "2 files checked: 1 error, 0 warnings",
    ]


def test_validate_plain_file_does_not_resolve_flow_references(work):
    (work / "refs.xml").write_text("<Response><Redirect>flow:other</Redirect></Response>")
    run = cli("validate", "refs.xml", cwd=work)
    assert (run.code, run.out) == (0, "1 file checked: 0 errors, 0 warnings\n")


def test_validate_project_repairs_are_warnings(work):
    (work / "repaired.flexproj").write_text(
        '<flexml-project format="1" entry="gone">\n'
        '  <flow name="main"><Response><Hangup/></Response></flow>\n'
        "  <surprise/>\n"
        "</flexml-project>\n"
    )
    run = cli("validate", "repaired.flexproj", cwd=work)
    assert run.code == 0
    assert run.out.splitlines() == [
        "repaired.flexproj:3:1: warning: project-repaired an unknown <surprise> element was "
        "skipped",
        "repaired.flexproj:1:1: warning: project-repaired the entry flow 'gone' does not "
        "exist; the first flow is used",
        "1 file checked: 0 errors, 2 warnings",
    ]


def test_validate_flexproj_that_is_not_a_project_exits_2(work):
    (work / "fake.flexproj").write_text(GOOD)
    run = cli("validate", "fake.flexproj", cwd=work)
    assert run.code == 2
    assert run.err_lines == [
        "flexml-studio: fake.flexproj is not a FlexML Studio project (its root is <Response>)"
    ]


def test_validate_project_recognised_by_its_root_not_its_first_bytes(work):
    # A long comment before the root must not make a project look like a FlexML file.
    (work / "commented.flexproj").write_text(
        "<!-- " + "x" * 1000 + " -->\n" + PROJECT.split("\n", 1)[1]
    )
    run = cli("validate", "commented.flexproj", cwd=work)
    assert (run.code, run.out) == (0, "1 file checked: 0 errors, 0 warnings\n")


def test_validate_newer_project_format_exits_2(work):
    (work / "future.flexproj").write_text('<flexml-project format="9"/>')
    run = cli("validate", "future.flexproj", cwd=work)
    assert run.code == 2
    (line,) = run.err_lines
    assert line.startswith("flexml-studio: future.flexproj: this project was saved in format 9")


def test_validate_json_is_a_list_of_findings(work):
    run = cli("validate", "--format", "json", "errors.xml", "good.xml", "malformed.xml", cwd=work)
    assert run.code == 1
    findings = json.loads(run.out)
    assert isinstance(findings, list)
    assert all(set(f) == JSON_KEYS for f in findings)
    assert [(f["file"], f["line"], f["severity"], f["code"]) for f in findings] == [
        ("errors.xml", 2, "error", "unknown-element"),
        ("errors.xml", 3, "error", "out-of-range"),
        ("malformed.xml", 3, "error", "not-well-formed"),
    ]
    assert findings[0]["column"] == 3
    assert findings[0]["path"] == "/Response/Bogus[1]"
    assert findings[0]["flow"] is None
    assert run.err == ""


def test_validate_json_clean_is_an_empty_list(work):
    run = cli("validate", "--format", "json", "good.xml", "app.flexproj", cwd=work)
    assert run.code == 0
    assert json.loads(run.out) == []


def test_validate_json_reports_unusable_files_too(work):
    run = cli("validate", "--format", "json", "missing.xml", "doctype.xml", "good.xml", cwd=work)
    assert run.code == 2
    findings = json.loads(run.out)
    assert [(f["file"], f["severity"], f["code"]) for f in findings] == [
        ("missing.xml", "error", "unreadable"),
        ("doctype.xml", "error", "refused"),
    ]
    assert run.err == ""


def test_validate_json_names_the_flow_in_projects(work):
    run = cli("validate", "--format", "json", "broken.flexproj", cwd=work)
    (finding,) = json.loads(run.out)
    assert (finding["flow"], finding["code"], finding["line"]) == ("bad", "unknown-flow", 10)


def test_validate_needs_a_file(tmp_path):
    run = cli("validate", cwd=tmp_path)
    assert run.code == 2
    assert run.err_lines[-1].startswith("flexml-studio validate: error: ")


def test_validate_undecodable_file_name_on_an_ascii_terminal(tmp_path):
    name = os.fsdecode(b"caf\xe9-\xff.xml")
    (tmp_path / name).write_text(ERRORS)
    run = cli("validate", name, cwd=tmp_path, env={"PYTHONIOENCODING": "ascii"})
    assert run.code == 1
    assert run.out.splitlines()[0].startswith("caf\\udce9-\\udcff.xml:2:3: error: unknown-element")


# -- export ------------------------------------------------------------------------------


def test_export_writes_the_entry_flow_to_stdout(work):
    run = cli("export", "app.flexproj", cwd=work)
    assert (run.code, run.out, run.err) == (0, MENU_RESOLVED, "")
    dash = cli("export", "app.flexproj", "-o", "-", cwd=work)
    assert (dash.code, dash.out) == (0, MENU_RESOLVED)


def test_export_named_flow(work):
    run = cli("export", "app.flexproj", "--flow", "main", cwd=work)
    assert run.code == 0
    assert run.out == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<Response>\n"
        "  <Say>Welcome</Say>\n"
        "  <Redirect>https://example.com/app/flows/menu</Redirect>\n"
        "</Response>\n"
    )


def test_export_base_url_option_beats_the_project_setting(work):
    run = cli("export", "app.flexproj", "--base-url", "https://other.example/x/", cwd=work)
    assert run.code == 0
    assert 'action="https://other.example/x/flows/choice"' in run.out


def test_export_without_base_url_keeps_references_and_warns(work):
    without_setting = [line for line in PROJECT.splitlines() if "<setting" not in line]
    (work / "nourl.flexproj").write_text("\n".join(without_setting) + "\n")
    run = cli("export", "nourl.flexproj", cwd=work)
    assert run.code == 0
    assert 'action="flow:choice"' in run.out
    assert run.err_lines == [
        "flexml-studio: warning: flow: references were left as they are; "
        "give --base-url to turn them into URLs"
    ]
    no_refs = cli("export", "nourl.flexproj", "--flow", "choice", cwd=work)
    assert (no_refs.code, no_refs.err) == (0, "")


def test_export_compact(work):
    run = cli("export", "app.flexproj", "--compact", cwd=work)
    assert run.code == 0
    assert run.out == (
        '<?xml version="1.0" encoding="UTF-8"?><Response>'
        '<Gather action="https://example.com/app/flows/choice" numDigits="1">'
        "<Say>Press 1</Say></Gather></Response>\n"
    )


def test_export_to_a_file(work):
    run = cli("export", "app.flexproj", "-o", "out/menu.xml", cwd=work)
    assert run.code == 2  # the folder does not exist: said, not created
    assert run.err_lines == [
        "flexml-studio: could not save out/menu.xml: the folder does not exist"
    ]
    run = cli("export", "app.flexproj", "-o", "menu-out.xml", cwd=work)
    assert (run.code, run.out, run.err) == (0, "", "")
    assert (work / "menu-out.xml").read_text("utf-8") == MENU_RESOLVED
    (work / "menu-out.xml").write_text("old")
    run = cli("export", "app.flexproj", "--output", "menu-out.xml", "--flow", "choice", cwd=work)
    assert run.code == 0
    assert "<Hangup/>" in (work / "menu-out.xml").read_text("utf-8")
    assert not list(work.glob(".menu-out.xml.*"))


def test_export_all_writes_every_flow(work):
    run = cli("export", "app.flexproj", "--all", "site/flows", cwd=work)
    assert run.code == 0
    assert run.out == ""
    assert run.err_lines == ["exported 3 flows to site/flows"]
    folder = work / "site" / "flows"
    assert sorted(p.name for p in folder.iterdir()) == ["choice.xml", "main.xml", "menu.xml"]
    assert (folder / "menu.xml").read_text("utf-8") == MENU_RESOLVED
    assert "https://example.com/app/flows/menu" in (folder / "main.xml").read_text("utf-8")


def test_export_plain_files_become_flows_named_after_their_stems(work):
    (work / "Main Menu.xml").write_text(
        "<Response><Redirect>flow:good</Redirect></Response>", "utf-8"
    )
    (work / "again").mkdir()
    (work / "again" / "good.xml").write_text("<Response><Reject/></Response>", "utf-8")
    run = cli(
        "export",
        "Main Menu.xml",
        "good.xml",
        "again/good.xml",
        "--all",
        "out",
        "--base-url",
        "https://example.com",
        cwd=work,
    )
    assert run.code == 0, run.err
    out = work / "out"
    assert sorted(p.name for p in out.iterdir()) == ["good-2.xml", "good.xml", "main-menu.xml"]
    assert "<Reject/>" in (out / "good-2.xml").read_text("utf-8")
    assert "<Redirect>https://example.com/flows/good</Redirect>" in (
        out / "main-menu.xml"
    ).read_text("utf-8")
    # The first file is the entry.
    entry = cli("export", "Main Menu.xml", "good.xml", "--base-url", "https://e.com", cwd=work)
    assert (entry.code, entry.err) == (0, "")
    assert "<Redirect>https://e.com/flows/good</Redirect>" in entry.out


def test_export_refuses_a_flow_with_lint_errors(work):
    run = cli("export", "broken.flexproj", "--flow", "bad", "-o", "bad.xml", cwd=work)
    assert run.code == 1
    assert run.out == ""
    assert run.err_lines == [
        "broken.flexproj:10:7: error: unknown-flow Redirect text: flow:gone refers to a flow "
        "this project does not have [flow bad]",
        "flexml-studio: not exported: flow 'bad' has 1 error (fix them, or use --force)",
    ]
    assert not (work / "bad.xml").exists()


def test_export_all_refuses_when_any_flow_has_errors(work):
    run = cli("export", "broken.flexproj", "--all", "out", cwd=work)
    assert run.code == 1
    assert "not exported: flow 'bad' has 1 error" in run.err
    assert not (work / "out").exists()


def test_export_force_exports_despite_errors(work):
    run = cli("export", "broken.flexproj", "--flow", "bad", "--force", cwd=work)
    assert run.code == 0
    assert "<Redirect>flow:gone</Redirect>" in run.out
    assert "error: unknown-flow" in run.err  # still said


def test_export_only_checks_the_flows_it_exports(work):
    run = cli("export", "broken.flexproj", cwd=work)  # the entry, main, is fine
    assert (run.code, run.err) == (0, "")
    assert "<Say>Hi</Say>" in run.out


def test_export_problem_lines_name_the_file_the_flow_came_from(work):
    run = cli("export", "good.xml", "errors.xml", "--flow", "errors", cwd=work)
    assert run.code == 1
    assert run.err_lines[0].startswith("errors.xml:2:3: error: unknown-element ")
    assert run.err_lines[0].endswith("[flow errors]")


def test_export_warnings_do_not_block(work):
    run = cli("export", "warn.xml", cwd=work)
    assert run.code == 0
    assert '<Say bogus="1">hi</Say>' in run.out
    assert [LINE.fullmatch(line)["severity"] for line in run.err_lines] == ["warning"] * 2


def test_export_writes_utf8_whatever_the_terminal_encoding(work):
    (work / "uni.xml").write_text("<Response><Say>Caf\u00e9 \u260e</Say></Response>", "utf-8")
    run = subprocess.run(
        [str(EXE), "export", "uni.xml"],
        cwd=work,
        capture_output=True,
        timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
    )
    assert run.returncode == 0, run.stderr
    assert (
        run.stdout
        == (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n'
            "  <Say>Caf\u00e9 \u260e</Say>\n</Response>\n"
        ).encode()
    )


# -- export: user errors are one line, never a traceback ----------------------------------


def test_export_missing_file(work):
    one_user_error(
        cli("export", "missing.flexproj", cwd=work), 2, "missing.flexproj does not exist"
    )


def test_export_folder_given(work):
    (work / "folder").mkdir()
    one_user_error(cli("export", "folder", cwd=work), 2, "folder is a folder, not a file")


def test_export_unknown_flow(work):
    one_user_error(
        cli("export", "app.flexproj", "--flow", "nope", cwd=work),
        2,
        "the project has no flow named 'nope' (it has: main, menu, choice)",
    )


def test_export_unwritable_output(work):
    (work / "taken").mkdir()
    one_user_error(
        cli("export", "app.flexproj", "-o", "taken", cwd=work),
        2,
        "could not save taken: a folder of that name is in the way",
    )
    one_user_error(
        cli("export", "app.flexproj", "-o", "good.xml/inside.xml", cwd=work),
        2,
        "could not save good.xml/inside.xml: a part of the path is not a folder",
    )
    assert (work / "good.xml").read_text("utf-8") == GOOD


def test_export_all_into_a_file(work):
    one_user_error(
        cli("export", "app.flexproj", "--all", "good.xml", cwd=work),
        2,
        "cannot create the folder good.xml",
    )


def test_export_malformed_input_exits_1(work):
    one_user_error(
        cli("export", "malformed.xml", cwd=work),
        1,
        "malformed.xml: not well-formed XML",
        "(line 3, column",
    )
    one_user_error(
        cli("export", "good.xml", "malformed.xml", cwd=work),
        1,
        "malformed.xml: not well-formed XML",
    )


def test_export_doctype_and_oversize_are_refused_exit_2(work, oversized):
    one_user_error(cli("export", "doctype.xml", cwd=work), 2, "refused for safety")
    one_user_error(cli("export", oversized.name, cwd=work), 2, "files over 5 MiB are refused")


def test_export_project_errors_exit_2(work):
    (work / "fake.flexproj").write_text(GOOD)
    one_user_error(cli("export", "fake.flexproj", cwd=work), 2, "is not a FlexML Studio project")
    (work / "future.flexproj").write_text('<flexml-project format="2"/>')
    one_user_error(cli("export", "future.flexproj", cwd=work), 2, "newer FlexML Studio")
    one_user_error(
        cli("export", "good.xml", "app.flexproj", cwd=work), 2, "app.flexproj is a project"
    )


def test_export_project_without_flows(work):
    (work / "none.flexproj").write_text('<flexml-project format="1"/>')
    one_user_error(cli("export", "none.flexproj", cwd=work), 2, "none.flexproj has no flows")


@pytest.mark.parametrize(
    "args",
    [
        ("export", "app.flexproj", "--bogus"),
        ("export",),
        ("export", "app.flexproj", "-o", "a.xml", "--all", "dir"),
        ("export", "app.flexproj", "--flow"),
        ("validate", "--format", "yaml", "good.xml"),
    ],
)
def test_bad_command_line_exits_2_with_usage(work, args):
    run = cli(*args, cwd=work)
    assert run.code == 2
    assert run.out == ""
    assert run.err_lines[0].startswith("usage: flexml-studio ")
    assert re.fullmatch(r"flexml-studio( export| validate)?: error: .+", run.err_lines[-1])


# -- pipes -------------------------------------------------------------------------------


@pytest.fixture
def long_outputs(work) -> Path:
    """A flow whose export, and a file whose findings, are far more than a pipe holds."""
    say = "".join(f"  <Say>Line {i} of a long flow</Say>\n" for i in range(30000))
    (work / "long.xml").write_text(f"<Response>\n{say}</Response>\n", "utf-8")
    # Distinct unknown elements: about 100 bytes of findings each.
    unknown = "".join(f"  <Unknown-element-number-{i}/>\n" for i in range(2500))
    (work / "long-errors.xml").write_text(f"<Response>\n{unknown}</Response>\n", "utf-8")
    return work


@pytest.mark.parametrize(
    "command",
    [
        "export long.xml",
        "export long.xml --compact",
        "export long.xml -o -",
        "validate long-errors.xml",
        "validate long-errors.xml --format json",
    ],
)
def test_closed_pipe_is_quiet(long_outputs, command):
    work = long_outputs
    # The whole output, for comparison: it must be larger than a pipe's buffer (64 KiB),
    # or `head` closing early would not break anything.
    full = subprocess.run(
        ["bash", "-c", f'"{EXE}" {command}'], cwd=work, capture_output=True, timeout=120
    )
    assert len(full.stdout) > 128 * 1024
    script = f'"{EXE}" {command} 2>stderr.txt | head -c 10; echo " ${{PIPESTATUS[0]}}"'
    result = subprocess.run(["bash", "-c", script], cwd=work, capture_output=True, timeout=120)
    head, _, status = result.stdout.rpartition(b" ")
    assert head == full.stdout[:10]
    assert status.strip() == b"141"  # as a shell reports a program ended by SIGPIPE
    stderr = (work / "stderr.txt").read_text()
    assert "Traceback" not in stderr
    assert "BrokenPipeError" not in stderr
    assert "Exception ignored" not in stderr
    assert stderr == ""


CLOSED_STDOUT_SCRIPT = """
import os, sys
read_end, write_end = os.pipe()
os.close(read_end)  # nobody will ever read: every write fails with EPIPE
os.dup2(write_end, 1)
os.close(write_end)
from gui.cli import main
code = main(sys.argv[1:])
print(f"main returned {code}", file=sys.stderr)
"""


@pytest.mark.parametrize("command", [["export", "long.xml"], ["validate", "long-errors.xml"]])
def test_closed_pipe_in_process_leaves_stderr_usable_and_exits_cleanly(long_outputs, command):
    result = subprocess.run(
        [sys.executable, "-c", CLOSED_STDOUT_SCRIPT, *command],
        cwd=long_outputs,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert (result.returncode, result.stderr) == (0, "main returned 141\n")


# -- no Qt in headless commands ----------------------------------------------------------

QT_MODULES_SCRIPT = """
import json, sys
from gui.cli import main
code = main(sys.argv[1:]) if len(sys.argv) > 1 else None
if code is None:
    import gui.qt.app  # the control: the check must see this
qt = sorted(
    m for m in sys.modules
    if m.split(".")[0] in ("PySide6", "shiboken6", "qasync")
    or m == "gui.qt" or m.startswith("gui.qt.")
)
print(json.dumps({"code": code, "qt": qt}), file=sys.stderr)
"""


def _modules_after(work: Path, *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", QT_MODULES_SCRIPT, *args],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stderr.splitlines()[-1])


def test_validate_imports_no_qt(work):
    outcome = _modules_after(work, "validate", str(work / "good.xml"))
    assert outcome == {"code": 0, "qt": []}


def test_export_imports_no_qt(work):
    outcome = _modules_after(work, "export", "app.flexproj", "--all", "out")
    assert outcome == {"code": 0, "qt": []}
    assert (work / "out" / "menu.xml").read_text("utf-8") == MENU_RESOLVED


def test_the_qt_check_sees_qt_when_it_is_imported(work):
    outcome = _modules_after(work)
    assert "gui.qt" in outcome["qt"]
    assert "gui.qt.app" in outcome["qt"]
    assert any(m.startswith("PySide6") for m in outcome["qt"])


# -- a mistyped command never opens the window ------------------------------------------


@pytest.mark.parametrize("typo", ["validat", "exprot", "no-such-file.xml"])
def test_unknown_first_word_is_a_user_error_not_the_window(tmp_path, typo):
    run = cli(typo, "x.xml", cwd=tmp_path)
    assert run.code == 2
    assert run.out == ""
    assert run.err == (
        f"flexml-studio: {typo!r} is neither a command ({', '.join(COMMANDS)}) nor a file to open\n"
    )


def test_validate_reports_test_problems_with_the_test_name(work):
    (work / "tested.flexproj").write_text(
        '<flexml-project format="1" entry="main">\n'
        '  <flow name="main"><Response><Hangup/></Response></flow>\n'
        '  <test name="goes nowhere" flow="main">\n'
        '    <expect flow="nowhere"/>\n'
        "  </test>\n"
        "</flexml-project>\n"
    )
    run = cli("validate", "tested.flexproj", "--format", "json", cwd=work)
    assert run.code == 1
    (finding,) = json.loads(run.out)
    assert (finding["flow"], finding["kind"], finding["severity"]) == (
        "goes nowhere",
        "test",
        "error",
    )
    assert "nowhere" in finding["message"]
    text = cli("validate", "tested.flexproj", cwd=work)
    assert text.out.splitlines()[0].endswith("[test goes nowhere]")
