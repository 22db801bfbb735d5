"""CarrierX's own FlexML examples, as files: every one validates, lints without errors and
survives export.

tests/data/carrierx_documented/ holds each whole-document example of CarrierX's FlexML
pages (docs.carrierx.com) and each FlexML template of CarrierX's public sample apps
(github.com/carrierx), one a file, each opening with a comment that gives its source and what
was replaced in it. The templates are rendered as their app renders them (Django: template
tags leave blank lines, a missing key renders empty), with plausible values for the
placeholders. They are the language as CarrierX writes it: if one stops validating, the
schema or lint is wrong, not the example.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gui.cli import main
from gui.core.flexml import Node, has_errors, lint, parse, to_bytes

FOLDER = Path(__file__).resolve().parents[1] / "data" / "carrierx_documented"
FILES = sorted(FOLDER.glob("*.xml"))
EXE = Path(sys.executable).with_name("flexml-studio")
SOURCE = re.compile(r"\A<!--(?P<comment>.*?)-->", re.S)

# The warnings each example gets (none is an error); the others lint clean.
WARNINGS = {
    "blast_amd_for_call.xml": ["normalised-element"],  # <AMD>
    "blast_play_recording_for_call.xml": ["normalised-element", "normalised-attribute"],  # <wait>
    "demo_call_treatment.xml": ["undocumented-value"],  # female
    "demo_simple_menu.xml": ["normalised-element"],  # <HangUp/>
    "demo_voicemail.xml": ["url-with-spaces"],  # the goodbye message raw in the action URL
    "demo_voicemail_goodbye.xml": ["undocumented-value", "normalised-element"],  # female
    "redirect.xml": ["unreachable"],  # the Say after Redirect: the page's own point
}
# Spelling warnings: export writes the documented spelling, so they are gone after it.
SPELLING = {"normalised-element", "normalised-attribute"}

# Every FlexML template in CarrierX's two sample repositories that is kept here. Left out:
# carrierx-blast-api callcontrol/templates/flexml/hangup.xml. It plays voice_menu.goodby, a
# key the menu does not have, so every rendering holds an empty <Play></Play>, which lint
# calls an error (missing-text): to be settled before it can be kept.
SAMPLE_TEMPLATES = {
    "carrierx-demo-apps": [
        "call_treatment/templates/call_treatment.flexml",
        "concurrent_calls/templates/concurrent_calls.flexml",
        "forward/templates/forward.flexml",
        "simple_menu/templates/redirect.flexml",
        "simple_menu/templates/simple_menu.flexml",
        "simple_message/templates/simple_message.flexml",
        "voicemail/templates/voicemail.flexml",
        "voicemail/templates/voicemail_goodbye.flexml",
    ],
    "carrierx-blast-api": [
        "callcontrol/templates/flexml/amdForCall.xml",
        "callcontrol/templates/flexml/playRecording.xml",
        "callcontrol/templates/flexml/playRecordingForCall.xml",
        "callcontrol/templates/flexml/promptForRecording.xml",
        "callcontrol/templates/flexml/saved.xml",
        "callcontrol/templates/flexml/startRecording.xml",
        "callcontrol/templates/flexml/verifyRecording.xml",
    ],
}


def shape(node: Node) -> tuple:
    """What a node says, but for the order of its attributes (export writes the schema's)."""
    return node.tag, node.attrs, node.text, [shape(child) for child in node.children]


def validate_in_process(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["validate", *args])
    return code, out.getvalue()


def comment(path: Path) -> str:
    return SOURCE.match(path.read_text("utf-8"))["comment"].strip()


def test_every_documented_example_is_here():
    numbers = []
    for path in FILES:
        found = re.match(r"G(\d+)\.", comment(path))
        if found:
            numbers.append(int(found[1]))
    assert sorted(numbers) == list(range(1, 35))  # G1 to G34, one a file
    assert len(FILES) == 34
    pages = [path for path in FILES if "[doc]" in comment(path)]
    samples = [path for path in FILES if "[cx-code]" in comment(path)]
    assert (len(pages), len(samples)) == (19, 15)
    assert set(WARNINGS) <= {path.name for path in FILES}


def test_each_sample_template_is_kept_once_with_its_commit():
    sources = [re.sub(r"\s+", " ", comment(path)) for path in FILES]
    for repository, templates in SAMPLE_TEMPLATES.items():
        for template in templates:
            address = f"https://github.com/carrierx/{repository} [cx-code], {template} at commit "
            holding = [source for source in sources if address in source]
            assert len(holding) == 1, template
            assert re.search(re.escape(address) + r"[0-9a-f]{40}\b", holding[0]), template


def test_the_samples_hold_the_facts_the_project_relies_on():
    def children(name: str) -> list[Node]:
        return parse((FOLDER / name).read_bytes()).root.children

    # The blast app records the whole session before it asks for answering-machine detection.
    record, amd = children("blast_amd_for_call.xml")
    assert (record.tag, record.attrs["recordSession"], amd.tag) == ("Record", "true", "Amd")
    # It waits for silence after a machine answered: <wait silence minsilence>.
    wait = children("blast_play_recording_for_call.xml")[0]
    assert (wait.tag, wait.attrs) == (
        "Wait",
        {"length": "60", "silence": "true", "minSilence": "2000"},
    )
    # The voicemail app puts raw text with spaces into its action URL.
    record = children("demo_voicemail.xml")[1]
    assert (
        record.attrs["action"] == "/api/voicemail/goodbye/?message=Thank you for leaving a message."
    )


def test_the_examples_use_every_element_the_later_pages_brought():
    tags = {node.tag for path in FILES for node in parse(path.read_bytes()).root.iter()}
    assert {"Store", "Start", "Stop", "Connect", "Stream", "Parameter", "Sms"} <= tags


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_the_first_comment_names_an_http_source(path):
    found = SOURCE.match(path.read_text("utf-8"))
    assert found, "the file must open with its source"
    assert re.search(r"https?://[a-z0-9.-]+\.[a-z]+/\S+", found["comment"])
    assert "[doc]" in found["comment"] or "[cx-code]" in found["comment"]
    if "[cx-code]" in found["comment"]:
        assert "replaced" in found["comment"]  # which placeholders got which values
    assert "{{" not in path.read_text("utf-8")  # no template part is left
    assert "{%" not in path.read_text("utf-8")


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_validate_exits_0(path):
    code, out = validate_in_process("--format", "json", str(path))
    assert code == 0, out
    findings = json.loads(out)
    assert [f["code"] for f in findings] == WARNINGS.get(path.name, [])
    assert all(f["severity"] == "warning" for f in findings)


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_lint_finds_no_error_and_an_export_still_validates(path, tmp_path):
    document = parse(path.read_bytes())
    assert not has_errors(lint(document))
    for compact in (False, True):
        exported = to_bytes(document.root, compact=compact)
        again = parse(exported)
        assert shape(again.root) == shape(document.root)  # attributes in schema order
        assert to_bytes(again.root, compact=compact) == exported
        # What is exported is the documented spelling: no spelling warning is left.
        codes = [p.code for p in lint(again)]
        assert not has_errors(lint(again))
        assert codes == [c for c in WARNINGS.get(path.name, []) if c not in SPELLING]
        copy = tmp_path / f"exported-{compact}.xml"
        copy.write_bytes(exported)
        assert validate_in_process(str(copy))[0] == 0


def test_the_installed_command_validates_them_all():
    result = subprocess.run(
        [str(EXE), "validate", *(str(path) for path in FILES)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert (result.returncode, result.stderr) == (0, "")
    warnings = sum(len(codes) for codes in WARNINGS.values())
    assert result.stdout.splitlines()[-1] == (
        f"{len(FILES)} files checked: 0 errors, {warnings} warnings"
    )
    assert "error:" not in result.stdout
