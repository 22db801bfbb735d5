"""The Flow server panel's parts: where the server listens, its access token, the settings
box that holds both, and the URL of every flow. They show what the panel tells them; the
panel (server_panel.py) decides, applies and talks to the services."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..common.names import findable

HOSTS = (
    ("127.0.0.1", "127.0.0.1 (this computer only)"),
    ("0.0.0.0", "0.0.0.0 (every network interface)"),
)
DEFAULT_HOST = HOSTS[0][0]
NOT_RUNNING_URLS = "Start the server to see the URL of each flow."
NO_FLOWS_URLS = "The project has no flows to serve."

UrlRow = tuple[str, str, bool]  # flow name, URL, is the entry


def copy_text(text: str) -> None:
    """Put `text` on the clipboard."""
    # setText, not setMimeData: a QMimeData made in Python crashed at exit (PySide6 6.12).
    QGuiApplication.clipboard().setText(text)


def _form(*rows: tuple[str, QWidget | QLayout]) -> QFormLayout:
    form = QFormLayout()
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    for label, field in rows:
        form.addRow(label, field)
    return form


def _note(parent: QWidget, tip: str) -> QLabel:
    """A greyed, wrapped line of explanation."""
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    label.setToolTip(tip)
    return label


class UrlLabel(QLabel):
    """A URL on one line, elided in the middle when narrow (the flow's name at its end stays
    in sight), selectable; `url` is the whole of it."""

    def __init__(self, url: str, parent: QWidget | None = None) -> None:
        super().__init__(url, parent)
        self.url = url
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Ignored: the layout may make it narrower than the URL (it is elided then).
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("http://…/flows/x"))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        elided = self.fontMetrics().elidedText(self.url, Qt.TextElideMode.ElideMiddle, self.width())
        if elided != self.text():
            self.setText(elided)


class AddressForm(QWidget):
    """Host, port and public URL, and why CarrierX needs a public URL (a tunnel)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host_combo = QComboBox(self)
        findable(self.host_combo, "server-host", "Host the flow server listens on")
        for host, text in HOSTS:
            self.host_combo.addItem(text, host)
        self.host_combo.setToolTip(
            "Where the server listens: this computer only (reach it from outside through a "
            "tunnel), or every network interface (other machines can reach it; a token is "
            "then required)"
        )
        self.port_spin = QSpinBox(self)
        findable(self.port_spin, "server-port", "Port the flow server listens on")
        self.port_spin.setRange(0, 65535)
        self.port_spin.setSpecialValueText("any free port")
        self.port_spin.setToolTip(
            "The TCP port; 0 picks a free one at each start (a tunnel needs a fixed port)"
        )
        self.public_edit = QLineEdit(self)
        findable(self.public_edit, "server-public-url", "Public URL of the flow server")
        self.public_edit.setPlaceholderText("https://abc123.ngrok-free.app")
        self.public_edit.setClearButtonEnabled(True)
        self.public_edit.setToolTip(
            "The address CarrierX reaches the server at (your tunnel's); flow: references "
            "resolve to it. Empty: the server's own address."
        )
        self.explanation = _note(self, "Why CarrierX needs a public URL")
        self.explanation.setObjectName("server-tunnel-help")
        self.explanation.setTextFormat(Qt.TextFormat.RichText)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.form = _form(
            ("Host:", self.host_combo), ("Port:", self.port_spin), ("Public URL:", self.public_edit)
        )
        layout.addLayout(self.form)
        layout.addWidget(self.explanation)

    def host(self) -> str:
        """The host chosen."""
        return self.host_combo.currentData() or DEFAULT_HOST

    def select_host(self, host: str) -> None:
        """Choose `host`, adding it when it is none of HOSTS (set in the settings file)."""
        index = self.host_combo.findData(host)
        if index < 0:
            self.host_combo.addItem(host, host)
            index = self.host_combo.count() - 1
        self.host_combo.setCurrentIndex(index)

    def show_port(self, port: int | str) -> None:
        """Name `port` in the tunnel commands of the explanation."""
        self.explanation.setText(
            "CarrierX fetches your flows over the internet, so a server on this computer "
            f"needs a tunnel: for example <code>ngrok http {port}</code>, "
            f"<code>cloudflared tunnel --url http://localhost:{port}</code> or "
            f"<code>ssh -R 80:localhost:{port} host</code>. Put the public address it gives "
            "here: <code>flow:</code> references then resolve to it. With a tunnel, generate "
            "a token too."
        )


class TokenBox(QWidget):
    """The access token (generated, never typed), its buttons, and when it is needed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.token_edit = QLineEdit(self)
        findable(self.token_edit, "server-token", "Access token of the flow server")
        self.token_edit.setReadOnly(True)
        self.token_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.token_edit.setPlaceholderText("none")
        self.token_edit.setToolTip(
            "The access token: every URL handed out carries it (/t/TOKEN/...); requests "
            "without it are refused (403). Kept in the system keyring, never in the settings."
        )
        self.generate_button = self._button(
            "Generate", "server-token-generate", "Generate a new access token"
        )
        self.generate_button.setToolTip("Make a new random token (apply to use it)")
        self.copy_token_button = self._button("Copy", "server-token-copy", "Copy the access token")
        self.copy_token_button.setToolTip("Copy the token to the clipboard")
        self.clear_token_button = self._button(
            "Remove", "server-token-remove", "Remove the access token"
        )
        self.clear_token_button.setToolTip(
            "Serve without a token (only while listening on this computer only)"
        )
        buttons = QHBoxLayout()
        buttons.setSpacing(2)
        for button in (self.generate_button, self.copy_token_button, self.clear_token_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.token_note = _note(self, "When the token is needed, and where it is kept")
        self.token_note.setObjectName("server-token-note")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.form = _form(("Token:", self.token_edit), ("", buttons))
        layout.addLayout(self.form)
        layout.addWidget(self.token_note)

    def _button(self, text: str, name: str, accessible: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        findable(button, name, accessible)
        return button

    def token(self) -> str:
        """The token shown ("" for none)."""
        return self.token_edit.text()

    def set_token(self, token: str) -> None:
        self.token_edit.setText(token)
        self.token_edit.setCursorPosition(0)  # a long token shows its start

    def show_need(self, loopback: bool, session_only: bool) -> None:
        """Enable the buttons and say when a token is needed: always off loopback (it cannot
        be removed then); `session_only` when no keyring keeps it."""
        has_token = bool(self.token())
        self.copy_token_button.setEnabled(has_token)
        self.clear_token_button.setEnabled(has_token and loopback)
        notes = []
        if not loopback:
            notes.append("Required: other machines can reach the server.")
        elif not has_token:
            notes.append("Not needed on this computer; generate one before using a tunnel.")
        if session_only:
            notes.append(
                "No system keyring: the token is kept for this session only, so the URLs "
                "change at the next start."
            )
        self.token_note.setText(" ".join(notes))
        self.token_note.setVisible(bool(notes))


class SettingsBox(QGroupBox):
    """The settings applied as a whole: address and token, what is wrong, Apply."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Settings", parent)
        self.address = AddressForm(self)
        self.token = TokenBox(self)
        self.input_error = QLabel(self)
        self.input_error.setObjectName("server-input-error")
        self.input_error.setWordWrap(True)
        self.input_error.setToolTip("What is wrong with the settings above")
        self.input_error.hide()
        self.apply_button = QPushButton("Apply", self)
        findable(self.apply_button, "server-apply", "Apply the flow server settings")
        self.apply_button.setToolTip(
            "Use these settings (a running server restarts with them) and remember them"
        )
        self.pending_label = QLabel("Changes not applied yet", self)
        self.pending_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.pending_label.setToolTip("The server runs with the settings last applied")
        apply_row = QHBoxLayout()
        apply_row.addWidget(self.apply_button)
        apply_row.addWidget(self.pending_label, 1)

        # Wrapped labels sit in the box's column, not in a form row: QFormLayout kept them at
        # the height of their first text and cut off the last line of a longer one.
        column = QVBoxLayout(self)
        column.addWidget(self.address)
        column.addWidget(self.token)
        column.addWidget(self.input_error)
        column.addLayout(apply_row)
        _align_labels(self.address.form, self.token.form)

    def show_input_error(self, text: str, colour: str) -> None:
        self.input_error.setText(text)
        self.input_error.setStyleSheet(f"color: {colour};")
        self.input_error.show()


def _align_labels(*forms: QFormLayout) -> None:
    """The same width for the label column of each form, so their fields line up."""
    labels = [
        item.widget()
        for form in forms
        for row in range(form.rowCount())
        if (item := form.itemAt(row, QFormLayout.ItemRole.LabelRole)) is not None
        and item.widget() is not None
    ]
    width = max((label.sizeHint().width() for label in labels), default=0)
    for label in labels:
        label.setMinimumWidth(width)


class FlowUrlsBox(QGroupBox):
    """The URL of every flow served, each with a Copy button, and what was last copied."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Flow URLs", parent)
        self.setToolTip("What to give CarrierX (a DID's or a call's URL) for each flow")
        self._rows: tuple[UrlRow, ...] | None = None
        self.urls_empty = QLabel(NOT_RUNNING_URLS, self)
        self.urls_empty.setObjectName("server-urls-empty")
        self.urls_empty.setWordWrap(True)
        self.urls_empty.setEnabled(False)  # the greyed look of an empty state
        self.urls_grid_box = QWidget(self)
        self.urls_grid = QGridLayout(self.urls_grid_box)
        self.urls_grid.setContentsMargins(0, 0, 0, 0)
        self.urls_grid.setColumnStretch(1, 1)
        self.urls_grid.setHorizontalSpacing(6)
        self.urls_grid.setVerticalSpacing(2)
        self.copied_label = _note(self, "What was last copied to the clipboard")
        self.copied_label.setObjectName("server-copied")
        self.copied_label.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.urls_empty)
        layout.addWidget(self.urls_grid_box)
        layout.addWidget(self.copied_label)

    def show_rows(self, rows: tuple[UrlRow, ...], running: bool) -> None:
        """Show these rows (cheap when they are the ones shown)."""
        if rows == self._rows:
            return
        self._rows = rows
        while self.urls_grid.count():
            item = self.urls_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for row, (name, url, entry) in enumerate(rows):
            self._add_row(row, name, url, entry)
        self.urls_empty.setText(NO_FLOWS_URLS if running else NOT_RUNNING_URLS)
        self.urls_empty.setVisible(not rows)
        self.urls_grid_box.setVisible(bool(rows))

    def _add_row(self, row: int, name: str, url: str, entry: bool) -> None:
        box = self.urls_grid_box
        label = QLabel(f"<b>{html.escape(name)}</b>" + (" (entry)" if entry else ""), box)
        label.setToolTip(
            f"The flow {name!r}" + (": the entry flow, also served at /" if entry else "")
        )
        field = UrlLabel(url, box)
        findable(field, f"server-url-{name}", f"URL of the flow {name}")
        field.setToolTip(f"{url}\n(select to copy part of it)")
        button = QToolButton(box)
        button.setText("Copy")
        findable(button, f"server-url-copy-{name}", f"Copy the URL of the flow {name}")
        button.setToolTip(f"Copy the URL of {name!r} to the clipboard")
        button.clicked.connect(lambda _checked=False, u=url, n=name: self.copy_url(n, u))
        self.urls_grid.addWidget(label, row, 0)
        self.urls_grid.addWidget(field, row, 1)
        self.urls_grid.addWidget(button, row, 2)

    def rows(self) -> list[UrlRow]:
        """(flow name, URL, is the entry) of each row shown."""
        return list(self._rows or ())

    def copy_url(self, name: str, url: str) -> None:
        copy_text(url)
        self.say_copied(f"Copied the URL of {name}.")

    def copy_url_of(self, name: str) -> str | None:
        """Copy the URL shown for flow `name`; returns it (None when not shown)."""
        for shown, url, _entry in self._rows or ():
            if shown == name:
                self.copy_url(name, url)
                return url
        return None

    def say_copied(self, text: str) -> None:
        self.copied_label.setText(text)
        self.copied_label.show()
