"""The questions File > Export asks before it writes: export flows that have lint errors
anyway?, and where will the flows be served (the base URL `flow:NAME` references become
BASE/flows/NAME under)? Plus the "save changes?" question, with keys that work.

They are built here and shown by FileActions; each is a real modal dialog a test can find
with QApplication.activeModalWidget() and drive by objectName.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.export_check import check_base_url, error_lines
from ...core.flexml import Problem
from ..common.names import findable

ERROR_COLOR = "#c62828"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def quoted(name: str) -> str:
    return f"\u201c{name}\u201d"


# -- lint errors ---------------------------------------------------------------------------


def errors_box(parent: QWidget, errors: dict[str, list[Problem]], title: str) -> QMessageBox:
    """Export anyway / Cancel, listing the errors (the first few, then how many more).
    One flow: named in the title; several: each named, with its count and on its lines."""
    count = sum(len(found) for found in errors.values())
    if len(errors) == 1:
        name = next(iter(errors))
        title = f"{title} with {plural(count, 'error')}?"
        lead = f"The flow {quoted(name)} has {plural(count, 'lint error')}"
        it, files = "it", "the file"
    else:
        title = f"{title}: {plural(len(errors), 'flow')} have errors"
        flows = ", ".join(f"{quoted(n)} ({plural(len(e), 'error')})" for n, e in errors.items())
        lead = f"These flows have lint errors: {flows}"
        it, files = "them", "those files"
    lines = error_lines(errors, name_flows=len(errors) > 1)
    text = (
        f"{lead}. CarrierX may refuse {files} or stop the call there; `flexml-studio export` "
        f"does not export {it} without --force.\n\n"
        + "\n".join(f"\u2022 {line}" for line in lines)
        + "\n\nExport anyway?"
    )
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton, parent
    )
    box.setObjectName("export-errors")
    box.setTextFormat(Qt.TextFormat.PlainText)  # messages hold <Verb> names
    anyway = box.addButton("Export &Anyway", QMessageBox.ButtonRole.AcceptRole)
    findable(anyway, "export-anyway", "Export anyway")
    anyway.setToolTip("Write the file with these errors in it")
    cancel = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
    findable(cancel, "export-cancel", "Cancel the export")
    cancel.setToolTip("Write nothing; fix the errors first (the Problems panel lists them)")
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    return box


# -- the base URL --------------------------------------------------------------------------


class BaseUrlDialog(QDialog):
    """Asks for the base URL of the flows: an http(s) URL, or empty to keep the `flow:`
    references. Anything else is refused in place, saying why, and the dialog stays."""

    def __init__(
        self,
        parent: QWidget,
        title: str,
        about: str,
        value: str,
        served: str | None,
        accept_text: str = "Export",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("export-base-url-dialog")
        self.setWindowTitle(title)
        self.value = value.strip()
        layout = QVBoxLayout(self)
        explanation = QLabel(about)
        explanation.setTextFormat(Qt.TextFormat.PlainText)
        explanation.setWordWrap(True)
        layout.addWidget(explanation)
        self.edit = findable(QLineEdit(value), "export-base-url", "Base URL")
        self.edit.setPlaceholderText("https://flows.example.com (empty: keep flow: references)")
        self.edit.setToolTip(
            "Where the flows will be served: flow:NAME becomes BASE/flows/NAME.\n"
            "Leave it empty to keep the flow: references as they are."
        )
        self.edit.textEdited.connect(lambda _text: self._say(None))
        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        if served:
            use = QPushButton("Use the &Flow Server’s URL")
            findable(use, "export-use-served", "Use the flow server's URL")
            use.setToolTip(f"The running flow server's public URL: {served}")
            use.clicked.connect(lambda: self._use(served))
            row.addWidget(use)
        layout.addLayout(row)
        self.error = QLabel()
        self.error.setObjectName("export-base-url-error")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {ERROR_COLOR}")
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(accept_text)
        findable(ok, "export-base-url-ok", accept_text)
        ok.setToolTip("Use this base URL (it is remembered for this project)")
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        findable(cancel, "export-base-url-cancel", "Cancel")
        cancel.setToolTip("Change nothing and write nothing")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(max(self.sizeHint().width(), 520), self.sizeHint().height())

    def _use(self, served: str) -> None:
        self.edit.setText(served)
        self._say(None)

    def _say(self, reason: str | None) -> None:
        self.error.setText(reason or "")
        self.error.setVisible(reason is not None)

    def accept(self) -> None:
        text = self.edit.text().strip()
        reason = check_base_url(text) if text else None
        if reason is not None:
            self._say(f"Not accepted: {reason}.")
            self.edit.setFocus()
            return
        self.value = text
        super().accept()


# -- save changes? -------------------------------------------------------------------------


def save_changes_box(parent: QWidget, doing: str) -> QMessageBox:
    """Save / Discard / Cancel with working keys: Qt's own button texts have no mnemonics
    (Alt+S did nothing). Windows says "Don't Save" (Alt+N); macOS, which has no Alt
    mnemonics, "Don't Save" on Cmd+D. Escape cancels; Enter saves."""
    buttons = QMessageBox.StandardButton
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Unsaved changes",
        f"The project has unsaved changes. Save them before {doing}?",
        buttons.Save | buttons.Discard | buttons.Cancel,
        parent,
    )
    box.setObjectName("save-changes")
    save, discard, cancel = (box.button(b) for b in (buttons.Save, buttons.Discard, buttons.Cancel))
    if sys.platform == "darwin":
        save.setText("Save")
        discard.setText("Don\u2019t Save")
        discard.setShortcut(QKeySequence("Ctrl+D"))  # Cmd+D, as in every Mac app
        cancel.setText("Cancel")
    else:
        save.setText("&Save")
        discard.setText("Do&n\u2019t Save" if sys.platform == "win32" else "&Discard")
        cancel.setText("&Cancel")
    findable(save, "save-changes-save", "Save")
    save.setToolTip("Save the project, then go on")
    findable(discard, "save-changes-discard", "Discard the changes")
    discard.setToolTip("Go on without saving: the changes are lost")
    findable(cancel, "save-changes-cancel", "Cancel")
    cancel.setToolTip("Go back to the project (Escape)")
    box.setDefaultButton(save)
    box.setEscapeButton(cancel)
    return box
