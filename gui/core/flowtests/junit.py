"""Flow test results as JUnit XML: what GitLab, GitHub Actions' test reporters and Jenkins read.

    <testsuites name="flexml-studio test" tests= failures= errors= time=>
      <testsuite name=PROJECT tests= failures= errors= skipped= time= timestamp= hostname=>
        <testcase name=TEST classname=PROJECT.FLOW time=>
          <failure message="expected say &quot;Support&quot; (step 2 of 4)" type="expectation">
            the transcript around where matching stopped</failure>
          <system-out>the call's whole transcript</system-out>
        </testcase>

A test that could not run has `<error type="test-error">`; a skipped one `<skipped message=>`.
Times are seconds. The report follows the schema Jenkins' xUnit plugin validates JUnit
reports with (its junit-10.xsd), which tests/data/junit.xsd states: only the attributes it
allows, so the count of skipped tests is on <testsuite> (where GitLab and GitHub Actions'
reporters read it), not on <testsuites>, which takes none. Every text is
cleaned first (`xml_text`): a character XML cannot hold, which a file name, a host name or
a served copy's message may have, becomes U+FFFD rather than a report that cannot be
written.
"""

from __future__ import annotations

import math
import socket
from collections.abc import Sequence
from datetime import UTC, datetime

from lxml import etree

from .model import NOT_XML
from .runner import ERROR, FAILED, SKIPPED, FlowTestResult, count_outcomes

SUITES_NAME = "flexml-studio test"


def xml_text(text: str) -> str:
    """`text` with each character XML cannot hold replaced by U+FFFD (most control
    characters, lone surrogates such as a file name's bytes that were not UTF-8, U+FFFE
    and U+FFFF)."""
    return NOT_XML.sub("\ufffd", text)


def _seconds(value: float) -> str:
    """Seconds as the schema takes them: a non-negative decimal."""
    return f"{value if math.isfinite(value) and value > 0 else 0.0:.6f}"


def _counts(results: Sequence[FlowTestResult]) -> dict[str, str]:
    counts = count_outcomes(results)
    return {
        "tests": str(len(results)),
        "failures": str(counts[FAILED]),
        "errors": str(counts[ERROR]),
        "skipped": str(counts[SKIPPED]),
    }


def junit_xml(
    project: str,
    results: Sequence[FlowTestResult],
    seconds: float,
    *,
    timestamp: datetime | None = None,
) -> bytes:
    """The JUnit XML of one project's results (`project`: its name, e.g. the file's stem;
    `seconds`: how long the whole run took)."""
    counts = _counts(results)
    project = xml_text(project)
    totals = {key: value for key, value in counts.items() if key != "skipped"}
    suites = etree.Element("testsuites", name=SUITES_NAME, **totals, time=_seconds(seconds))
    when = (timestamp or datetime.now(UTC)).replace(microsecond=0, tzinfo=None)
    suite = etree.SubElement(
        suites,
        "testsuite",
        name=project,
        **counts,
        time=_seconds(seconds),
        timestamp=when.isoformat(),
        hostname=xml_text(socket.gethostname() or "localhost"),
    )
    for result in results:
        _case(suite, project, result)
    return etree.tostring(suites, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _case(suite: etree._Element, project: str, result: FlowTestResult) -> None:
    case = etree.SubElement(
        suite,
        "testcase",
        name=xml_text(result.name),
        classname=xml_text(f"{project}.{result.flow}" if result.flow else project),
        time=_seconds(result.seconds),
    )
    message = xml_text(result.headline() if result.outcome == FAILED else result.message)
    if result.outcome == FAILED:
        failure = etree.SubElement(case, "failure", message=message, type="expectation")
        failure.text = xml_text("\n".join([result.headline(), *result.context()]) + "\n")
    elif result.outcome == ERROR:
        error = etree.SubElement(case, "error", message=message, type="test-error")
        error.text = message + "\n"
    elif result.outcome == SKIPPED:
        etree.SubElement(case, "skipped", message=message)
    if result.transcript:
        out = etree.SubElement(case, "system-out")
        out.text = xml_text("\n".join(result.transcript) + "\n")
