"""Save as test: the dialog that turns a run that ended into a flow test of the project.

`proposal` reads the run's events (core/flowtests/record.py): the flow it started at, the
caller's keys, the outcomes each Dial, Record and Amd met, and what happened, in order.
`SaveTestDialog` shows the keys and outcomes as they will be replayed, and what happened as
a checklist of expectations the person unticks ("remove what you do not care about"); the
name must be free among the project's tests, else it is refused in place. The test follows
the project as it is now: a flow renamed since the run has its new name (a note says so);
what the project no longer has is greyed out and left out, and a test that would start at
such a flow cannot be saved (a note says why). Save first runs the test on the project as
it is now (`check`, on the event loop, a few milliseconds): a test that passes is saved at
once; one that fails (a prompt edited since the run, a flow removed) is not, the dialog says
why, and Save again keeps it anyway. Save accepts the dialog; the panel then hands the test
to whoever keeps the project's undo stack.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.flowtests.model import Expectation, FlowTest, check_name
from ...core.flowtests.record import (
    call_numbers,
    caller_digits,
    clock_decision,
    ended_with_error,
    first_flow,
    follow_renames,
    missing_names,
    propose,
    proposed_name,
    renamed_since,
)
from ...core.runtime.events import Amd, Dial, Record
from ..common import tasks
from ..common.messages import unexpected
from ..common.names import findable

if TYPE_CHECKING:
    from ...core.flowtests.runner import FlowTestResult
    from ...core.project import Project
    from .runs import Run

_logger = logging.getLogger(__name__)

ERROR_COLOUR = "#b3261e"  # as the transcript's errors
CHECKLIST_ROWS = 14  # expectations shown without scrolling
# A note in a box: amber as the simulator's Gather box, red-tinted for an error.
_NOTE_STYLE = (
    "QLabel {{ background: rgba({0}, 0.14); border: 1px solid rgba({0}, 0.55);"
    " border-radius: 4px; padding: 4px 6px; }}"
)
_AMBER, _RED = "227, 179, 65", "179, 38, 30"
# What each kind of expectation checks, for the checklist's tooltips.
_KIND_TIPS = {
    "flow": "The call reaches this flow (or switch)",
    "say": "A Say whose text contains this is spoken",
    "dial": "A Dial calls this number or SIP URI",
    "store": "A Store keeps this name (and this value)",
    "end": "How the call ends",
}


@dataclass(frozen=True)
class Proposal:
    """The test proposed for a run, and what the dialog says about it: the error that
    ended the call, whether the person stopped it, whether the clock was fixed for
    opening hours, which of Dial, Record and Amd the call met, the flows renamed since
    the run (old, new: the test has the new names) and the flows or switches the test
    would name that the project no longer has."""

    test: FlowTest
    error: str | None = None
    stopped: bool = False
    clock: bool = False
    met: tuple[str, ...] = ()
    renamed: tuple[tuple[str, str], ...] = ()
    missing: tuple[str, ...] = ()

    @property
    def runnable(self) -> bool:
        """Whether the test can run at all: it starts at a flow the project has."""
        return self.test.flow is None or self.test.flow not in self.missing


def proposal(run: Run, project: Project) -> Proposal:
    """The test the run `run` (ended, with a call) proposes on `project` as it is now:
    flows renamed since the run under their new names."""
    events = run.events
    flow = run.start_flow or first_flow(events, run.flow_named)
    at = _clock(run, project)
    from_number, to_number = call_numbers(events)
    renamed = renamed_since(events, project, run.flow_named)
    start = renamed.get(flow, flow) if flow is not None else None
    name = proposed_name(start, caller_digits(events), project.tests)
    proposed = propose(
        events,
        flow=flow,
        name=name,
        from_number=from_number,
        to_number=to_number,
        at=at,
        flow_of=run.flow_named,
    )
    test = follow_renames(proposed, renamed)
    met = tuple(
        word
        for word, kind in (("Dial", Dial), ("Record", Record), ("Amd", Amd))
        if any(isinstance(e, kind) and not getattr(e, "session", False) for e in events)
    )
    return Proposal(
        test,
        ended_with_error(events),
        run.stopped,
        at is not None,
        met,
        renamed=tuple(renamed.items()),
        missing=missing_names(test, project),
    )


def _clock(run: Run, project: Project) -> datetime | None:
    """When the test's call starts, so that its first opening-hours switch decides at the
    moment the run's did; None when no such switch decided. The run's switch went by the
    wall clock, the test's goes by `at` plus the call's time (a Pause of an instant run
    takes no wall time): the wall moment it decided less the call time it decided at."""
    index = clock_decision(run.events, project)
    if index is None:
        return None
    decided = run.decided.get(index)
    if decided is None:  # not known (not seen as it happened): the start is near it
        return run.started
    return decided - timedelta(seconds=run.events[index].at)


class SaveTestDialog(QDialog):
    """See the module docstring. `is_taken(name)` says whether a test has that name now;
    `check(test)` runs a test on the project as it is now (None: saved unchecked); after
    Save (the dialog accepted), `test()` is the test to add."""

    def __init__(
        self,
        proposed: Proposal,
        is_taken: Callable[[str], bool],
        parent: QWidget | None = None,
        check: Callable[[FlowTest], Awaitable[FlowTestResult]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("save-test-dialog")
        self.setWindowTitle("Save as test")
        self.proposed = proposed
        self._is_taken = is_taken
        self._check = check
        self.checking = False  # a Save's check is running
        self._failing: FlowTest | None = None  # said to fail: Save again keeps it anyway
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Running this test makes the same call again: the same keys, the same outcomes. "
            "It passes while the call still does what stays ticked below."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        for note in self._notes():
            layout.addWidget(note)
        layout.addLayout(self._build_form())
        checks = QLabel("&Expectations (untick what you do not care about):")
        layout.addWidget(checks)
        self.checklist = self._build_checklist()
        checks.setBuddy(self.checklist)
        layout.addWidget(self.checklist, 1)
        layout.addWidget(self._build_buttons())
        self.name_edit.setFocus()
        self.name_edit.selectAll()
        self.resize(max(self.sizeHint().width(), 560), self.sizeHint().height())

    # -- building -----------------------------------------------------------------------------

    def _notes(self) -> list[QLabel]:
        """What the person should know before saving: an error, a stopped run."""
        notes = []
        if self.proposed.error is not None:
            notes.append(
                _note(
                    "save-test-error-note",
                    f"This call ended with an error: {self.proposed.error}\n\nThe test "
                    'expects the error (end "error"): it passes while the flow fails this '
                    "way, and fails once the flow is fixed.",
                    _RED,
                )
            )
        if self.proposed.stopped:
            notes.append(
                _note(
                    "save-test-stopped-note",
                    "You stopped this run before it ended: the test's call goes on past "
                    "that point, so how it ends is left unticked.",
                    _AMBER,
                )
            )
        if self.proposed.renamed:
            notes.append(_note("save-test-renamed-note", self._renamed_text(), _AMBER))
        if self.proposed.missing:
            colour = _AMBER if self.proposed.runnable else _RED  # red: it cannot be saved
            notes.append(_note("save-test-missing-note", self._missing_text(), colour))
        return notes

    def _renamed_text(self) -> str:
        pairs = self.proposed.renamed
        which = ", ".join(f"“{old}” is now “{new}”" for old, new in pairs)
        flows = "A flow this call ran was" if len(pairs) == 1 else "Flows this call ran were"
        return (
            f"{flows} renamed since the run ({which}): the test uses the names the project has now."
        )

    def _missing_text(self) -> str:
        missing = self.proposed.missing
        names = ", ".join(f"“{name}”" for name in missing)
        gone = (
            f"The flow or switch {names} was" if len(missing) == 1 else f"{names} were"
        ) + " renamed or removed since this run: the project has nothing of that name."
        if not self.proposed.runnable:
            return (
                f"{gone} The test would start there, so it could not run: it cannot be "
                "saved. Run the call again (from the flow's new name, if it was renamed) "
                "and save that run."
            )
        return (
            f"{gone} Expecting it is left out of the test (greyed below). If it was removed, "
            "the call cannot go there again: Save runs the test first and says if it fails."
        )

    def _build_form(self) -> QFormLayout:
        test = self.proposed.test
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name_edit = findable(QLineEdit(test.name), "save-test-name", "Test name")
        self.name_edit.setToolTip("The test's name: free text, unique among the project's tests")
        self.name_edit.textEdited.connect(lambda _text: self._say(None))
        form.addRow("&Name", self.name_edit)
        self.name_error = QLabel()
        self.name_error.setObjectName("save-test-name-error")
        self.name_error.setTextFormat(Qt.TextFormat.PlainText)
        self.name_error.setWordWrap(True)
        self.name_error.setStyleSheet(f"color: {ERROR_COLOUR}")
        self.name_error.hide()
        form.addRow("", self.name_error)
        rows = [
            ("Starts at", self._start_text(), "The flow (or switch) the call starts at"),
            ("Caller’s keys", _keys_text(test.digits), "What the caller pressed at each Gather"),
            ("Outcomes", self._outcomes_text(), "What each Dial, Record and Amd met, in order"),
        ]
        if test.at is not None:
            rows.append(("Clock", f"{test.at} (opening hours decided on this call)", _CLOCK_TIP))
        if test.from_number or test.to_number:
            numbers = (
                f"from {test.from_number or 'the default'} to {test.to_number or 'the default'}"
            )
            rows.append(("Numbers", numbers, "The caller's and the called number"))
        self.facts: dict[str, QLabel] = {}
        for label, text, tip in rows:
            fact = QLabel(text)
            fact.setObjectName(f"save-test-{label.split()[0].lower().rstrip('’')}")
            fact.setTextFormat(Qt.TextFormat.PlainText)
            fact.setWordWrap(True)
            fact.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            fact.setToolTip(tip)
            form.addRow(label, fact)
            self.facts[label] = fact
        return form

    def _start_text(self) -> str:
        start = self.proposed.test.flow
        if start is None:
            return "the entry flow"
        return start if self.proposed.runnable else f"{start} (no longer in the project)"

    def _outcomes_text(self) -> str:
        test, met = self.proposed.test, self.proposed.met
        if not met:
            return "none (no Dial, Record or Amd on this call)"
        shown = {
            "Dial": _listed(test.dial or "answered", "s"),
            "Record": _listed(test.record or "5", "s recorded"),
            "Amd": _listed(test.amd or "human", ""),
        }
        return " · ".join(f"{word}: {shown[word]}" for word in met)

    def _build_checklist(self) -> QListWidget:
        checklist = findable(QListWidget(), "save-test-expectations", "Expectations to keep")
        checklist.setToolTip(
            "What happened on the call, in order. Ticked: the test checks it (in this "
            "order). Space ticks and unticks."
        )
        stopped, missing = self.proposed.stopped, self.proposed.missing
        for expectation in self.proposed.test.expectations:
            item = QListWidgetItem(_shown(expectation))
            item.setData(Qt.ItemDataRole.UserRole, expectation)
            checklist.addItem(item)
            if expectation.kind == "flow" and expectation.value in missing:
                # Nothing of that name to reach now: left out, and it cannot be ticked.
                item.setText(f"{item.text()} (renamed or removed since this run)")
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                item.setCheckState(Qt.CheckState.Unchecked)
                item.setToolTip(_GONE_TIP)
                continue
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            untick = stopped and expectation.kind == "end"
            item.setCheckState(Qt.CheckState.Unchecked if untick else Qt.CheckState.Checked)
            item.setToolTip(_KIND_TIPS.get(expectation.kind, ""))
        # Tall enough for a short call's lines (a long one scrolls), never taller.
        rows = max(4, min(checklist.count(), CHECKLIST_ROWS))
        row = checklist.sizeHintForRow(0) if checklist.count() else 18
        checklist.setMinimumHeight(rows * row + 2 * checklist.frameWidth() + 4)
        return checklist

    def _build_buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("&Save")
        findable(self.save_button, "save-test-save", "Save the test")
        self.save_button.setToolTip("Add the test to the project (Edit > Undo takes it back)")
        if not self.proposed.runnable:
            self.save_button.setEnabled(False)
            self.save_button.setToolTip(
                f"The test would start at “{self.proposed.test.flow}”, which the project "
                "no longer has: it could not run"
            )
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        findable(self.cancel_button, "save-test-cancel", "Cancel")
        self.cancel_button.setToolTip("Close without adding a test")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        return buttons

    # -- using it -----------------------------------------------------------------------------

    def kept(self) -> tuple[Expectation, ...]:
        """The expectations ticked, in order."""
        items = (self.checklist.item(i) for i in range(self.checklist.count()))
        return tuple(
            item.data(Qt.ItemDataRole.UserRole)
            for item in items
            if item.checkState() == Qt.CheckState.Checked
        )

    def test(self) -> FlowTest:
        """The test as the dialog has it now: the name typed and the expectations kept."""
        return replace(self.proposed.test, name=self.name_edit.text(), expectations=self.kept())

    def accept(self) -> None:
        """Save: a name that is no test name, or one a test has, is refused in place (and
        a test that could not run is not saved); then the test runs once (`check`) and is
        saved if it passes, or if it was said to fail and is saved again unchanged."""
        if not self.proposed.runnable or self.checking:
            return
        name = self.name_edit.text()
        try:
            check_name(name)
        except ValueError as exc:
            self._refuse(f"Not saved: {exc}.")
            return
        if self._is_taken(name):
            self._refuse(f"Not saved: the project already has a test named “{name}”.")
            return
        test = self.test()
        if self._check is None or test == self._failing:
            super().accept()
            return
        self._set_checking(True)
        tasks.start(self._check_then_save(self._check, test), name="check the test to save")

    async def _check_then_save(
        self, check: Callable[[FlowTest], Awaitable[FlowTestResult]], test: FlowTest
    ) -> None:
        try:
            result = await check(test)
        except Exception:  # a bug: said, and the test may still be saved as it is
            result = None
            said = unexpected(_logger, "checking the test %r", test.name)
        finally:
            if shiboken6.isValid(self):
                self._set_checking(False)
        if not shiboken6.isValid(self) or not self.isVisible():
            return  # cancelled meanwhile: nothing is saved
        if result is None:
            self._failing = test
            self._say(said)
            return
        if result.passed:
            super().accept()
            return
        self._failing = test
        self._say(
            f"Not saved yet: this test fails on the project as it is now: {result.headline()}. "
            "Untick what changed since the run, or Save again to keep it as it is."
        )

    def _set_checking(self, checking: bool) -> None:
        self.checking = checking
        self.save_button.setEnabled(not checking and self.proposed.runnable)
        self.save_button.setText("Checking…" if checking else "&Save")

    def _refuse(self, reason: str) -> None:
        self._say(reason)
        self.name_edit.setFocus()
        self.name_edit.selectAll()

    def _say(self, reason: str | None) -> None:
        self.name_error.setText(reason or "")
        self.name_error.setVisible(reason is not None)


_GONE_TIP = (
    "The call reached this, but the project has nothing of that name now (renamed or "
    "removed since the run): a test expecting it would fail, so it is left out"
)
_CLOCK_TIP = (
    "An opening-hours switch decided on this call: the test's call starts at this moment, "
    "so it decides the same way whenever the test runs"
)


def _note(name: str, text: str, colour: str) -> QLabel:
    note = QLabel(text)
    note.setObjectName(name)
    note.setTextFormat(Qt.TextFormat.PlainText)
    note.setWordWrap(True)
    note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    note.setStyleSheet(_NOTE_STYLE.format(colour))
    return note


def _keys_text(digits: str) -> str:
    if not digits:
        return "none"
    if "w" in digits:
        return f"{digits}   (w: a Gather timed out)"
    return digits


def _listed(setting: str, unit: str) -> str:
    """A dial, record or amd setting for people: "busy:3,answered" is "busy 3 s, then
    answered", "12" (a Record) "12 s recorded"."""
    words = []
    for word in setting.split(","):
        what, _, seconds = word.partition(":")
        if what.isdigit():
            words.append(f"{what} {unit}")
        else:
            words.append(f"{what} {seconds} {unit}" if seconds else what)
    return ", then ".join(words)


def _shown(expectation: Expectation) -> str:
    """A checklist line, in words, on one line."""
    kind, value = expectation.kind, " ".join(expectation.value.split())
    if kind == "flow":
        return f"Reaches {value}"
    if kind == "say":
        return f"Says “{value}”"
    if kind == "dial":
        return f"Dials {value}"
    if kind == "store":
        name, equals, data = value.partition("=")
        return f"Stores {name} = “{data}”" if equals else f"Stores {name}"
    if kind == "end":
        return f"Ends: {value}"
    return expectation.describe()
