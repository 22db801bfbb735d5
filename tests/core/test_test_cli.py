"""`flexml-studio test`, run as a real program: one line per test, a failure's step and
transcript, the summary and coverage lines, --name, --json, --junit-xml (validated against
the common JUnit schema), --coverage-json, --jobs, and the exit codes: 0 every test passed,
1 any failed or could not run, 2 the project is unusable (one line on stderr)."""

from __future__ import annotations

import json
import os
import re
from importlib import resources
from pathlib import Path

import pytest
from lxml import etree

from gui.core.flowtests.junit import junit_xml
from gui.core.flowtests.runner import ERROR, FAILED, PASSED, SKIPPED, FlowTestResult
from gui.core.templates import templates
from tests.core.test_cli import Run, cli, one_user_error
from tests.data import data_path

PASS = re.compile(r"PASS  (?P<name>.+) \(\d+\.\d ms\)\Z")
NAMES = [t.name for t in templates()]


def resource(name: str) -> Path:
    folder = "samples" if name == "sample" else "templates"
    with resources.as_file(resources.files("gui.resources").joinpath(f"{folder}")) as path:
        return path / f"{name}.flexproj"


@pytest.fixture
def ivr(tmp_path: Path) -> Path:
    """A copy of the IVR menu template (with its six tests)."""
    path = tmp_path / "ivr.flexproj"
    path.write_text(resource("ivr-menu").read_text("utf-8"), "utf-8")
    return path


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """The IVR template with its sales flow saying something else: one test fails."""
    path = tmp_path / "broken.flexproj"
    text = resource("ivr-menu").read_text("utf-8")
    path.write_text(text.replace("You have reached sales.", "Sales speaking."), "utf-8")
    return path


def summary_lines(run: Run) -> list[str]:
    return run.out.splitlines()[-2:]


@pytest.mark.parametrize("name", [*NAMES, "sample"])
def test_every_template_and_the_sample_pass_and_reach_every_flow(tmp_path, name):
    run = cli("test", str(resource(name)), cwd=tmp_path)
    assert (run.code, run.err) == (0, ""), run.out
    lines = run.out.splitlines()
    count = len(lines) - 2
    assert count >= 1
    assert all(PASS.match(line) for line in lines[:count]), run.out
    assert lines[-2] == f"{count} test{'s' if count > 1 else ''}: {count} passed, 0 failed"
    # Every flow, verb and switch case is reached: each count is its total.
    coverage = re.fullmatch(r"coverage: flows (.+), verbs (.+), switch cases (.+)", lines[-1])
    assert coverage is not None, lines[-1]
    for reached, total in (part.split("/") for part in coverage.groups()):
        assert reached == total, lines[-1]


def test_a_broken_template_fails_naming_the_step_and_showing_the_transcript(broken):
    run = cli("test", broken.name, cwd=broken.parent)
    assert run.code == 1 and run.err == ""
    lines = run.out.splitlines()
    fail = lines.index('FAIL  sales: expected say "You have reached sales" (step 5 of 6)')
    context = []
    for line in lines[fail + 1 :]:
        if not line.startswith("      "):
            break
        context.append(line[6:])
    marked = [line for line in context if line.startswith(">")]
    assert len(marked) == 1 and "say 'Sales speaking." in marked[0]
    assert any("switch route: Digits=1 -> case '1' -> sales" in line for line in context)
    assert 4 <= len(context) <= 7
    assert PASS.match(lines[0]) is None and PASS.match(lines[fail + len(context) + 1])
    assert summary_lines(run) == [
        "6 tests: 5 passed, 1 failed",
        "coverage: flows 5/5, verbs 12/12, switch cases 6/6",
    ]


def test_name_globs_choose_the_tests(ivr):
    run = cli("test", ivr.name, "--name", "sales", "--name", "*goodbye", cwd=ivr.parent)
    assert run.code == 0
    names = [PASS.match(line)["name"] for line in run.out.splitlines()[:-2]]
    assert names == ["sales", "wrong key twice: goodbye", "no key twice: goodbye"]
    assert summary_lines(run)[0] == "3 tests: 3 passed, 0 failed"
    one_user_error(cli("test", ivr.name, "--name", "Sales*", cwd=ivr.parent), 2, "no test")


def test_json_is_one_object_per_test_then_a_summary(broken):
    run = cli("test", broken.name, "--json", cwd=broken.parent)
    assert run.code == 1
    objects = [json.loads(line) for line in run.out.splitlines()]
    *tests, last = objects
    assert [t["test"] for t in tests][:2] == ["sales", "support"]
    failed = tests[0]
    assert failed["outcome"] == "failed"
    assert failed["message"] == 'expected say "You have reached sales" (step 5 of 6)'
    assert (failed["step"], failed["steps"], failed["flow"]) == (5, 6, "menu")
    assert "Sales speaking." in failed["transcript"][failed["stopped_at"]]
    assert all(t["outcome"] == "passed" and t["message"] is None for t in tests[1:])
    assert last["summary"] == {"tests": 6, "passed": 5, "failed": 1, "errors": 0, "skipped": 0}
    assert last["coverage"]["flows"] == {"total": 5, "reached": 5, "missed": []}


def test_junit_xml_validates_against_the_common_junit_schema(broken):
    report = broken.parent / "reports" / "junit.xml"
    report.parent.mkdir()
    run = cli("test", broken.name, "--junit-xml", str(report), cwd=broken.parent)
    assert run.code == 1
    schema = etree.XMLSchema(etree.parse(str(data_path("junit.xsd"))))
    document = etree.parse(str(report))
    assert schema.validate(document), schema.error_log
    root = document.getroot()
    assert (root.tag, root.get("tests"), root.get("failures"), root.get("errors")) == (
        "testsuites",
        "6",
        "1",
        "0",
    )
    (suite,) = root
    assert suite.get("name") == "broken"
    cases = suite.findall("testcase")
    assert [c.get("classname") for c in cases] == ["broken.menu"] * 6
    failure = cases[0].find("failure")
    assert failure.get("message") == 'expected say "You have reached sales" (step 5 of 6)'
    assert "> " in failure.text and "Sales speaking." in failure.text
    assert all(c.find("failure") is None for c in cases[1:])
    assert "hang up" in cases[1].find("system-out").text
    # What the schema refuses, it refuses: a case without its name, or its classname, a
    # time that is no non-negative decimal.
    for attribute, value in (("name", None), ("classname", None), ("time", "-1"), ("time", "1s")):
        case = etree.fromstring(etree.tostring(cases[1]))
        if value is None:
            del case.attrib[attribute]
        else:
            case.set(attribute, value)
        suite.replace(cases[1], case)
        assert not schema.validate(document), (attribute, value)
        suite.replace(case, cases[1])
    assert schema.validate(document)


# Jenkins' schema (jenkinsci/xunit-plugin junit-10.xsd) refuses each of these; so must ours.
NOT_JENKINS = [
    ("testsuites", "skipped", "0"),  # a suite has it, the root has none
    ("testsuites", "disabled", "0"),
    ("testsuite", "disabled", "0"),
    ("testsuite", "failures", None),  # required on a suite
    ("testsuite", "errors", None),
    ("testcase", "assertions", "1"),
    ("testcase", "status", "run"),
    ("testcase", "file", "app.flexproj"),
    ("testsuites", "time", "1s"),
    ("testsuite", "time", "-1"),
]


@pytest.mark.parametrize(("tag", "attribute", "value"), NOT_JENKINS)
def test_the_schema_refuses_what_jenkins_refuses(tag, attribute, value):
    results = [
        FlowTestResult("a", "menu", PASSED, transcript=("said",)),
        FlowTestResult("b", "menu", FAILED, "expected", 1, 2, transcript=("x", "y"), stopped_at=1),
        FlowTestResult("c", "menu", ERROR, "cannot run"),
        FlowTestResult("d", "", SKIPPED, "clock"),
    ]
    schema = etree.XMLSchema(etree.parse(str(data_path("junit.xsd"))))
    root = etree.fromstring(junit_xml("app", results, 1.5))
    assert schema.validate(root), schema.error_log  # every outcome, as written
    assert root.get("skipped") is None and root[0].get("skipped") == "1"
    element = next(root.iter(tag))
    if value is None:
        del element.attrib[attribute]
    else:
        element.set(attribute, value)
    assert not schema.validate(root)
    # Children: a suite holds no <failure>, the root no <testcase>.
    root = etree.fromstring(junit_xml("app", results, 1.5))
    root[0].append(etree.Element("failure"))
    assert not schema.validate(root)
    root = etree.fromstring(junit_xml("app", results, 1.5))
    root.append(etree.Element("testcase", name="x", classname="y"))
    assert not schema.validate(root)


def test_junit_xml_of_tests_that_could_not_run_validates_too(tmp_path):
    text = resource("hello-world").read_text("utf-8")
    text = text.replace(
        "</flexml-project>",
        '  <test name="nowhere" flow="gone"/>\n  <test name="bad clock" at="9999-12-31T23:59"'
        ' tz="Etc/GMT+12"/>\n</flexml-project>',
    )
    (tmp_path / "app.flexproj").write_text(text, "utf-8")
    run = cli("test", "app.flexproj", "--junit-xml", "junit.xml", cwd=tmp_path)
    assert run.code == 1 and run.err == ""
    assert "ERROR bad clock: at: '9999-12-31T23:59' is outside the years 1970 to 9999" in run.out
    document = etree.parse(str(tmp_path / "junit.xml"))
    schema = etree.XMLSchema(etree.parse(str(data_path("junit.xsd"))))
    assert schema.validate(document), schema.error_log
    errors = [case.find("error") for case in document.iter("testcase")]
    assert [e.get("type") for e in errors if e is not None] == ["test-error", "test-error"]
    assert document.getroot().get("errors") == "2"


@pytest.mark.parametrize("name", [b"ivr\x1b[31m.flexproj", b"caf\xe9 \xff.flexproj"])
def test_a_file_name_xml_cannot_hold_still_gives_a_junit_report(tmp_path, name):
    # An escape sequence, and bytes that are not UTF-8 (Python holds them as lone
    # surrogates): the report names the project with U+FFFD in their place.
    path = Path(os.fsdecode(bytes(tmp_path) + b"/" + name))
    path.write_text(resource("ivr-menu").read_text("utf-8"), "utf-8")
    run = cli("test", path.name, "--junit-xml", "junit.xml", cwd=tmp_path)
    assert (run.code, run.err) == (0, ""), run.err
    document = etree.parse(str(tmp_path / "junit.xml"))
    schema = etree.XMLSchema(etree.parse(str(data_path("junit.xsd"))))
    assert schema.validate(document), schema.error_log
    (suite,) = document.getroot()
    assert "\ufffd" in suite.get("name") and suite.get("name").startswith(("ivr", "caf"))
    assert all(case.get("classname").startswith(suite.get("name")) for case in suite)


def test_a_failure_of_the_command_itself_is_one_line_and_exit_2(ivr, monkeypatch, capsys):
    import gui.commands.test as command
    from gui.cli import main

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the runner\nwith a second line")

    monkeypatch.setattr(command, "run_tests", broken)
    monkeypatch.chdir(ivr.parent)
    assert main(["test", ivr.name]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "flexml-studio: the tests could not be run: internal error: RuntimeError: a bug in "
        "the runner with a second line\n"
    )


def test_a_through_url_with_a_user_and_password_is_refused_without_showing_them(ivr):
    for url in ("http://me:s3cret-word@127.0.0.1:8080", "http://s3cret-word@127.0.0.1:8080/t/x"):
        run = cli("test", ivr.name, "--through", url, cwd=ivr.parent)
        one_user_error(run, 2, "--through: leave the user name and password out of the URL")
        assert "s3cret" not in run.err


def test_coverage_json_and_the_list_of_what_was_not_reached(ivr):
    target = ivr.parent / "coverage.json"
    options = ["--name", "sales", "--coverage", "--coverage-json", str(target)]
    run = cli("test", ivr.name, *options, cwd=ivr.parent)
    assert run.code == 0
    lines = run.out.splitlines()
    assert lines[2] == "coverage: flows 2/5, verbs 4/12, switch cases 1/6"
    assert "  not reached: flow support" in lines
    assert "  not reached: Hangup in goodbye at /Response/Hangup[1] (line 34)" in lines
    assert "  not reached: switch route-again otherwise (line 45)" in lines
    data = json.loads(target.read_text("utf-8"))
    assert data["flows"] == {
        "total": 5,
        "reached": 2,
        "missed": ["menu-again", "support", "goodbye"],
    }
    assert data["switch_cases"]["reached"] == 1


def test_one_job_and_two_give_the_same_results(ivr):
    def untimed(run: Run) -> str:
        return re.sub(r"\(\d+\.\d ms\)", "(t)", run.out)

    one = cli("test", ivr.name, "--jobs", "1", cwd=ivr.parent)
    two = cli("test", ivr.name, "--jobs", "2", cwd=ivr.parent)
    assert one.code == two.code == 0
    assert untimed(one) == untimed(two)


def test_a_test_that_cannot_run_is_an_error_and_notes_go_to_stderr(tmp_path):
    text = resource("hello-world").read_text("utf-8")
    text = text.replace(
        "</flexml-project>",
        '  <test name="nowhere" flow="gone"/>\n'
        '  <test name="odd" colour="blue">\n    <expect sya="Hello"/>\n  </test>\n'
        "</flexml-project>",
    )
    (tmp_path / "app.flexproj").write_text(text, "utf-8")
    run = cli("test", "app.flexproj", cwd=tmp_path)
    assert run.code == 1
    lines = run.out.splitlines()
    assert (
        "ERROR nowhere: the test starts at 'gone', which is no flow or switch of the project"
        in (lines)
    )
    # A mistyped expectation is not dropped: the test cannot run.
    (odd,) = [line for line in lines if line.startswith("ERROR odd: ")]
    assert odd.startswith('ERROR odd: expect 1: <expect sya="Hello"/>: it has no attribute sya')
    assert summary_lines(run)[0] == "3 tests: 1 passed, 0 failed, 2 could not run"
    (warning,) = run.err_lines
    assert warning.startswith("app.flexproj:")
    assert "warning: <test name='odd'> has attributes this version does not know" in warning


def test_a_mistyped_expectation_fails_the_run_and_validate_shows_where(tmp_path):
    text = resource("ivr-menu").read_text("utf-8")
    negative = (
        '  <test name="not variants" flow="menu" digits="1">\n'
        '    <expect flow="sales" not="false"/>\n'
        '    <expect flow="support" not="yes"/>\n'
        '    <expect flow="support" not="TRUE"/>\n'
        '    <expect say="x" flow="sales"/>\n'
        "  </test>\n"
    )
    text = text.replace("</flexml-project>", negative + "</flexml-project>")
    path = tmp_path / "app.flexproj"
    path.write_text(text, "utf-8")
    run = cli("test", "app.flexproj", "--name", "not*", cwd=tmp_path)
    assert (run.code, run.err) == (1, "")
    assert run.out.splitlines()[0] == (
        'ERROR not variants: expect 2: <expect flow="support" not="yes"/>: not=\'yes\' is '
        "neither true nor false"
    )
    first = text.splitlines().index('    <expect flow="support" not="yes"/>') + 1
    check = cli("validate", "app.flexproj", cwd=tmp_path)
    assert check.code == 1
    found = [line for line in check.out.splitlines() if "test-bad-expectation" in line]
    assert [line.split(": error:")[0] for line in found] == [
        f"app.flexproj:{first + n}:5" for n in range(3)
    ]
    assert "(write it in lower case)" in found[1] and "(it has say and flow)" in found[2]
    assert path.read_text("utf-8") == text  # nothing was changed


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["missing.flexproj"], "missing.flexproj"),
        (["plain.xml"], "tests live in a project"),
        (["malformed.flexproj"], "malformed.flexproj"),
        (["untested.flexproj"], "has no tests"),
        (["ivr.flexproj", "--jobs", "0"], "--jobs"),
        (["ivr.flexproj", "--through", "ftp://example.com"], "--through"),
        (["ivr.flexproj", "--junit-xml", "no/such/folder/junit.xml"], "--junit-xml"),
    ],
)
def test_an_unusable_project_or_command_line_is_one_line_and_exit_2(ivr, args, words):
    folder = ivr.parent
    (folder / "plain.xml").write_text("<Response><Hangup/></Response>", "utf-8")
    (folder / "malformed.flexproj").write_text('<flexml-project format="1"><flow>', "utf-8")
    (folder / "untested.flexproj").write_text(
        resource("busy").read_text("utf-8").split("  <test")[0] + "</flexml-project>\n", "utf-8"
    )
    run = cli("test", *args, cwd=folder)
    if "--junit-xml" in args:  # the tests ran and were printed; writing the report failed
        assert run.code == 2 and len(run.err_lines) == 1 and words in run.err
    else:
        one_user_error(run, 2, words)
