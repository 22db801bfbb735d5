"""The Endpoint panel's parts: the profile bar, the credentials form, the actions with what
they found, and where secrets are kept. They hold widgets; the panel decides what they do."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QAction, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.keychain import Keychain
from ...core.profiles import DEFAULT_CORE_URL, describe_url_risk
from ..common.names import findable

ERROR_COLOURS = ("#B42318", "#FF7B72")  # on a light background, on a dark one
WARNING_COLOURS = ("#9A5B00", "#E3B341")


class ProfileBar(QWidget):
    """The profile combo (the built-in Sandbox first) with New, Duplicate, Rename and Delete."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = findable(QComboBox(), "endpoint-profile", "Endpoint profile")
        self.combo.setToolTip("The endpoint profile calls go through")
        self.new_button = _tool_button(
            "New…", "Add a profile for a CarrierX FlexML endpoint", "endpoint-new", "New profile"
        )
        self.duplicate_button = _tool_button(
            "Duplicate…",
            "Copy this profile, with its password and token, under a new name",
            "endpoint-duplicate",
            "Duplicate profile",
        )
        self.rename_button = _tool_button(
            "Rename…", "Give this profile another name", "endpoint-rename", "Rename profile"
        )
        self.delete_button = _tool_button(
            "Delete…",
            "Delete this profile and its saved secrets",
            "endpoint-delete",
            "Delete profile",
        )
        profile_row = QHBoxLayout()
        profile_row.addWidget(QLabel("Profile:"))
        profile_row.addWidget(self.combo, 1)
        manage_row = QHBoxLayout()
        for button in self.manage_buttons():
            manage_row.addWidget(button)
        manage_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(profile_row)
        layout.addLayout(manage_row)

    def manage_buttons(self) -> tuple[QToolButton, ...]:
        return (self.new_button, self.duplicate_button, self.rename_button, self.delete_button)


class CredentialsForm(QWidget):
    """API URL (with a warning under it for http://), login, password, Core API URL and token."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api_url_edit = findable(QLineEdit(), "endpoint-api-url", "API URL")
        self.api_url_edit.setToolTip(
            "The FlexML REST API of the endpoint, https://api.carrierx.com/flexml/v1 for CarrierX"
        )
        self.url_warning = wrapping_label("")
        self.url_warning.setToolTip("Credentials sent over http:// can be read on the way")
        self.login_edit = findable(QLineEdit(), "endpoint-login", "Login")
        self.login_edit.setToolTip("The FlexML endpoint's login (not your CarrierX portal login)")
        self.password_edit, self.password_eye = _secret_edit("the password")
        findable(self.password_edit, "endpoint-password", "Password")
        self.password_edit.setToolTip("The FlexML endpoint's password, kept in the keyring")
        self.core_url_edit = findable(QLineEdit(), "endpoint-core-url", "Core API URL")
        self.core_url_edit.setPlaceholderText(DEFAULT_CORE_URL)
        self.core_url_edit.setToolTip("The Core API, used only to find your endpoints")
        self.core_token_edit, self.core_token_eye = _secret_edit("the token")
        findable(self.core_token_edit, "endpoint-core-token", "Core token")
        self.core_token_edit.setPlaceholderText("optional")
        self.core_token_edit.setToolTip(
            "A CarrierX Core API token: with it, Find my endpoints fills in the fields above"
        )
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setContentsMargins(0, 0, 0, 0)
        # The warning sits under the URL in one field: as a row of its own, QFormLayout
        # gave the word-wrapped label twice the height it needs.
        api_url_field = QWidget()
        api_url_column = QVBoxLayout(api_url_field)
        api_url_column.setContentsMargins(0, 0, 0, 0)
        api_url_column.addWidget(self.api_url_edit)
        api_url_column.addWidget(self.url_warning)
        form.addRow("API URL:", api_url_field)
        form.addRow("Login:", self.login_edit)
        form.addRow("Password:", self.password_edit)
        form.addRow("Core API URL:", self.core_url_edit)
        form.addRow("Core token:", self.core_token_edit)

    def edits(self) -> tuple[QLineEdit, ...]:
        """The fields, in Profile's order (the order of `values` and `fill`)."""
        return (
            self.api_url_edit,
            self.login_edit,
            self.password_edit,
            self.core_url_edit,
            self.core_token_edit,
        )

    def values(self) -> tuple[str, ...]:
        return tuple(edit.text().strip() for edit in self.edits())

    def fill(self, values: tuple[str, ...]) -> None:
        """Show `values` without announcing each field as an edit."""
        for edit, value in zip(self.edits(), values, strict=True):
            edit.blockSignals(True)
            edit.setText(value)
            edit.setCursorPosition(0)
            edit.blockSignals(False)

    def update_url_warning(self) -> None:
        risk = describe_url_risk(self.api_url_edit.text())
        self.url_warning.setText(risk or "")
        self.url_warning.setVisible(risk is not None)
        colour(self.url_warning, WARNING_COLOURS)


class ProfileActions(QWidget):
    """Save and Revert; Test connection and Find my endpoints; the wait and what was found."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.save_button = _button(
            "Save", "Save this profile; secrets go to the keyring", "endpoint-save", "Save profile"
        )
        self.revert_button = _button(
            "Revert", "Undo the changes since the last save", "endpoint-revert", "Revert profile"
        )
        self.test_button = _button(
            "Test connection",
            "Ask the endpoint for its DIDs with these credentials",
            "endpoint-test",
            "Test connection",
        )
        self.find_button = _button(
            "Find my endpoints…",
            "List your FlexML endpoints with the Core API token and fill in the fields",
            "endpoint-find",
            "Find my endpoints",
        )
        action_row = QHBoxLayout()
        for button in (self.save_button, self.revert_button):
            action_row.addWidget(button)
        action_row.addStretch(1)
        check_row = QHBoxLayout()
        check_row.addWidget(self.test_button)
        check_row.addWidget(self.find_button)
        check_row.addStretch(1)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # indeterminate: the answer's time is unknown
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.setToolTip("Waiting for the server's answer")
        self.progress.hide()
        self.result_label = findable(wrapping_label(""), "endpoint-result", "Result")
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.setToolTip("What the last action found")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(action_row)
        layout.addLayout(check_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.result_label)

    def show_result(self, text: str, kind: str = "") -> None:
        self.result_label.setText(text)
        colour(self.result_label, ERROR_COLOURS if kind == "error" else None)


class KeyringStatus(QWidget):
    """Where passwords and tokens are kept and, without a system keyring, the file instead."""

    def __init__(self, keychain: Keychain, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.keychain = keychain
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        self.keyring_label = wrapping_label("")
        self.keyring_label.setToolTip("Where passwords and Core tokens are kept")
        self.keyring_problem = wrapping_label("")
        self.keyring_problem.setToolTip("Why secrets cannot go to the system keyring")
        self.file_checkbox = findable(
            QCheckBox("Keep secrets in a file only you can read"),
            "endpoint-secrets-file",
            "Keep secrets in a file only you can read",
        )
        self.file_checkbox.setToolTip(keychain.file_warning)
        self.file_warning = wrapping_label(keychain.file_warning)
        self.file_warning.setToolTip(str(keychain.file_path))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(line)
        layout.addWidget(self.keyring_label)
        layout.addWidget(self.keyring_problem)
        layout.addWidget(self.file_checkbox)
        layout.addWidget(self.file_warning)

    def refresh(self, busy: bool) -> None:
        """Show the keychain as it is now; the check box waits while the panel is busy."""
        keychain = self.keychain
        self.keyring_label.setText(keychain.where())
        problem = None if keychain.available else keychain.problem
        self.keyring_problem.setText(problem or "")
        self.keyring_problem.setVisible(bool(problem))
        colour(self.keyring_problem, WARNING_COLOURS)
        fallback = not keychain.available
        self.file_checkbox.setVisible(fallback)
        self.file_warning.setVisible(fallback)
        self.file_checkbox.blockSignals(True)
        self.file_checkbox.setChecked(keychain.using_file)
        self.file_checkbox.blockSignals(False)
        self.file_checkbox.setEnabled(not busy)


# -- helpers ---------------------------------------------------------------------------


def wrapping_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def colour(label: QLabel, colours: tuple[str, str] | None) -> None:
    """Colour `label`'s text for the palette's light or dark background; None: the default."""
    if colours is None:
        label.setStyleSheet("")
        return
    dark = label.palette().color(QPalette.ColorRole.Window).lightness() < 128
    label.setStyleSheet(f"color: {colours[1] if dark else colours[0]}")


def _button(text: str, tip: str, name: str, accessible: str) -> QPushButton:
    button = findable(QPushButton(text), name, accessible)
    button.setToolTip(tip)
    return button


def _tool_button(text: str, tip: str, name: str, accessible: str) -> QToolButton:
    # Smaller than push buttons: four of them fit a narrow dock.
    button = findable(QToolButton(), name, accessible)
    button.setText(text)
    button.setToolTip(tip)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return button


def _secret_edit(what: str) -> tuple[QLineEdit, QAction]:
    """A password field with an eye at its end that shows or hides what was typed."""
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    eye = QAction(edit)
    eye.setCheckable(True)

    def shown(on: bool) -> None:
        edit.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password)
        eye.setIcon(_eye_icon(edit.palette(), crossed=on))
        eye.setToolTip(f"Hide {what}" if on else f"Show {what}")

    eye.toggled.connect(shown)
    shown(False)
    edit.addAction(eye, QLineEdit.ActionPosition.TrailingPosition)
    return edit, eye


def _eye_icon(palette: QPalette, *, crossed: bool) -> QIcon:
    icon = QIcon()
    for size in (16, 32):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(size / 16, size / 16)
        pen = QPen(palette.color(QPalette.ColorRole.Text), 1.3)
        painter.setPen(pen)
        outline = QPainterPath(QPointF(1.5, 8))
        outline.quadTo(QPointF(8, 1), QPointF(14.5, 8))
        outline.quadTo(QPointF(8, 15), QPointF(1.5, 8))
        painter.drawPath(outline)
        painter.setBrush(palette.color(QPalette.ColorRole.Text))
        painter.drawEllipse(QRectF(5.8, 5.8, 4.4, 4.4))
        if crossed:
            painter.drawLine(QPointF(2.5, 13.5), QPointF(13.5, 2.5))
        painter.end()
        icon.addPixmap(pixmap)
    return icon
