"""The Flow server panel: start and stop the server, where it listens, how CarrierX reaches it
(public URL, access token), and the URL of every flow to copy.

The form is applied as a whole (Apply, or Start with changes pending): host, port and public
URL go to the settings, the token to the keychain (it is a secret), and the configuration
to `Services.configure_flow_server`, which restarts a running server. The panel follows the
server's start and stop wherever they come from (the dial pad starts it on demand).
"""

from __future__ import annotations

import html
import logging
import secrets
from urllib.parse import urlsplit

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.keychain import FLOW_SERVER, SERVER_TOKEN, Keychain
from ..common.services import ServerConfig, Services
from ..common.settings import SettingsStore

HOSTS = (
    ("127.0.0.1", "127.0.0.1 (this computer only)"),
    ("0.0.0.0", "0.0.0.0 (every network interface)"),
)
DEFAULT_HOST = HOSTS[0][0]
TOKEN_BYTES = 24  # secrets.token_urlsafe(24): 32 URL-safe characters
_ERROR_COLOURS = ("#B42318", "#FF7B72")  # on a light background, on a dark one
_OK_COLOURS = ("#1A7F37", "#3FB950")

_logger = logging.getLogger(__name__)


def new_token() -> str:
    """A fresh access token: URL-safe, as FlowServer requires (it goes into paths)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def check_public_url(text: str) -> str | None:
    """The public URL as typed (None when empty); ValueError with a message for people."""
    url = text.strip()
    if not url:
        return None
    example = "e.g. https://abc123.ngrok-free.app"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        raise ValueError(f"The public URL is not a valid URL ({example}).") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        raise ValueError(
            f"The public URL must start with http:// or https:// and name a host ({example})."
        )
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise ValueError("The public URL must not have a query (?…) or a fragment (#…).")
    return url


def is_loopback(host: str) -> bool:
    """gui.core.server's rule, loaded when first needed (it brings aiohttp along)."""
    if host in ("127.0.0.1", "localhost"):
        return True
    from ...core.server import is_loopback as server_is_loopback

    return server_is_loopback(host)


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


class ServerPanel(QWidget):
    """See the module docstring. `refresh_urls()` is the host's to call after each refresh of
    the project (flows added, renamed or removed)."""

    NOT_RUNNING_URLS = "Start the server to see the URL of each flow."

    def __init__(
        self,
        services: Services,
        settings: SettingsStore,
        keychain: Keychain,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.settings = settings
        self.keychain = keychain
        self.error: str | None = None  # why the server could not start, until it does
        self._shown_urls: tuple[tuple[str, str, bool], ...] | None = None
        self._build()
        self._load()
        self._connect_signals()
        self._show_state()
        self.refresh_urls()

    # -- building -----------------------------------------------------------------------------

    def _build(self) -> None:
        self.state_label = QLabel(self)
        self.state_label.setWordWrap(True)
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state_label.setToolTip("Whether the flow server runs, and where it listens")
        self.start_button = QPushButton("Start", self)
        self.start_button.setToolTip(
            "Start serving the project's flows (pending changes below are applied first)"
        )
        self.stop_button = QPushButton("Stop", self)
        self.stop_button.setToolTip("Stop the flow server; CarrierX can no longer fetch flows")
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)

        self.host_combo = QComboBox(self)
        for host, text in HOSTS:
            self.host_combo.addItem(text, host)
        self.host_combo.setToolTip(
            "Where the server listens: this computer only (reach it from outside through a "
            "tunnel), or every network interface (other machines can reach it; a token is "
            "then required)"
        )
        self.port_spin = QSpinBox(self)
        self.port_spin.setRange(0, 65535)
        self.port_spin.setSpecialValueText("any free port")
        self.port_spin.setToolTip(
            "The TCP port; 0 picks a free one at each start (a tunnel needs a fixed port)"
        )
        self.public_edit = QLineEdit(self)
        self.public_edit.setPlaceholderText("https://abc123.ngrok-free.app")
        self.public_edit.setClearButtonEnabled(True)
        self.public_edit.setToolTip(
            "The address CarrierX reaches the server at (your tunnel's); flow: references "
            "resolve to it. Empty: the server's own address."
        )
        self.explanation = QLabel(self)
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.TextFormat.RichText)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.explanation.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.explanation.setToolTip("Why CarrierX needs a public URL")

        self.token_edit = QLineEdit(self)
        self.token_edit.setReadOnly(True)
        self.token_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.token_edit.setPlaceholderText("none")
        self.token_edit.setToolTip(
            "The access token: every URL handed out carries it (/t/TOKEN/...); requests "
            "without it are refused (403). Kept in the system keyring, never in the settings."
        )
        self.generate_button = QToolButton(self)
        self.generate_button.setText("Generate")
        self.generate_button.setToolTip("Make a new random token (apply to use it)")
        self.copy_token_button = QToolButton(self)
        self.copy_token_button.setText("Copy")
        self.copy_token_button.setToolTip("Copy the token to the clipboard")
        self.clear_token_button = QToolButton(self)
        self.clear_token_button.setText("Remove")
        self.clear_token_button.setToolTip(
            "Serve without a token (only while listening on this computer only)"
        )
        token_buttons = QHBoxLayout()
        token_buttons.setSpacing(2)
        token_buttons.addWidget(self.generate_button)
        token_buttons.addWidget(self.copy_token_button)
        token_buttons.addWidget(self.clear_token_button)
        token_buttons.addStretch(1)
        self.token_note = QLabel(self)
        self.token_note.setWordWrap(True)
        self.token_note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.token_note.setToolTip("When the token is needed, and where it is kept")

        self.input_error = QLabel(self)
        self.input_error.setWordWrap(True)
        self.input_error.setToolTip("What is wrong with the settings above")
        self.input_error.hide()
        self.apply_button = QPushButton("Apply", self)
        self.apply_button.setToolTip(
            "Use these settings (a running server restarts with them) and remember them"
        )
        self.pending_label = QLabel("Changes not applied yet", self)
        self.pending_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.pending_label.setToolTip("The server runs with the settings last applied")
        apply_row = QHBoxLayout()
        apply_row.addWidget(self.apply_button)
        apply_row.addWidget(self.pending_label, 1)

        settings_box = QGroupBox("Settings", self)
        # Wrapped labels sit in the box's column, not in a form row: QFormLayout kept them at
        # the height of their first text and cut off the last line of a longer one.
        column = QVBoxLayout(settings_box)

        def form_of(*rows) -> QFormLayout:
            form = QFormLayout()
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            for label, field in rows:
                form.addRow(label, field)
            column.addLayout(form)
            return form

        top = form_of(
            ("Host:", self.host_combo), ("Port:", self.port_spin), ("Public URL:", self.public_edit)
        )
        column.addWidget(self.explanation)
        token = form_of(("Token:", self.token_edit), ("", token_buttons))
        # Both forms' labels line up: the same width for the first column.
        width = max(top.labelForField(self.host_combo).sizeHint().width(), 0)
        for form in (top, token):
            for row in range(form.rowCount()):
                item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
                if item is not None and item.widget() is not None:
                    width = max(width, item.widget().sizeHint().width())
        for form in (top, token):
            for row in range(form.rowCount()):
                item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
                if item is not None and item.widget() is not None:
                    item.widget().setMinimumWidth(width)
        column.addWidget(self.token_note)
        column.addWidget(self.input_error)
        column.addLayout(apply_row)

        self.urls_box = QGroupBox("Flow URLs", self)
        self.urls_box.setToolTip("What to give CarrierX (a DID's or a call's URL) for each flow")
        urls_layout = QVBoxLayout(self.urls_box)
        self.urls_empty = QLabel(self.NOT_RUNNING_URLS, self.urls_box)
        self.urls_empty.setWordWrap(True)
        self.urls_empty.setEnabled(False)  # the greyed look of an empty state
        self.urls_grid_box = QWidget(self.urls_box)
        self.urls_grid = QGridLayout(self.urls_grid_box)
        self.urls_grid.setContentsMargins(0, 0, 0, 0)
        self.urls_grid.setColumnStretch(1, 1)
        self.urls_grid.setHorizontalSpacing(6)
        self.urls_grid.setVerticalSpacing(2)
        self.copied_label = QLabel(self.urls_box)
        self.copied_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.copied_label.setWordWrap(True)
        self.copied_label.setToolTip("What was last copied to the clipboard")
        self.copied_label.hide()
        urls_layout.addWidget(self.urls_empty)
        urls_layout.addWidget(self.urls_grid_box)
        urls_layout.addWidget(self.copied_label)

        layout = QVBoxLayout(self)
        layout.addWidget(self.state_label)
        layout.addLayout(buttons)
        layout.addWidget(settings_box)
        layout.addWidget(self.urls_box)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def _connect_signals(self) -> None:
        self.start_button.clicked.connect(self.on_start_button_clicked)
        self.stop_button.clicked.connect(self.on_stop_button_clicked)
        self.apply_button.clicked.connect(self.on_apply_button_clicked)
        self.generate_button.clicked.connect(self.on_generate_button_clicked)
        self.copy_token_button.clicked.connect(self.on_copy_token_button_clicked)
        self.clear_token_button.clicked.connect(self.on_clear_token_button_clicked)
        self.host_combo.currentIndexChanged.connect(self.on_host_combo_current_index_changed)
        self.port_spin.valueChanged.connect(self.on_form_edited)
        self.public_edit.textChanged.connect(self.on_form_edited)
        self.services.flow_server_started.connect(self.on_services_flow_server_started)
        self.services.flow_server_stopped.connect(self.on_services_flow_server_stopped)

    # -- the form -----------------------------------------------------------------------------

    def _load(self) -> None:
        """Fill the form from the settings and the keychain; a stopped server takes them."""
        host = self.settings.get("server/host").strip() or DEFAULT_HOST
        self._select_host(host)
        self.port_spin.setValue(max(0, min(65535, self.settings.get("server/port"))))
        self.public_edit.setText(self.settings.get("server/public-url"))
        stored_token = self.keychain.get(FLOW_SERVER, SERVER_TOKEN) or ""
        self._set_token(stored_token)
        if self.services.flow_server_running is None:
            try:
                config = self.form_config()
            except ValueError as exc:  # a hand-edited settings file: said, not applied
                self._show_input_error(str(exc))
            else:
                if config.token and config.token != stored_token:
                    self.keychain.set(FLOW_SERVER, SERVER_TOKEN, config.token)  # made just now
                self.services.configure_flow_server(config)  # not running: no restart
        self._update_form()

    def _select_host(self, host: str) -> None:
        index = self.host_combo.findData(host)
        if index < 0:  # a specific interface, set in the settings file
            self.host_combo.addItem(host, host)
            index = self.host_combo.count() - 1
        self.host_combo.setCurrentIndex(index)

    def form_config(self) -> ServerConfig:
        """The configuration the form says; ValueError (for people) for wrong input. Off
        loopback, an empty token is replaced by a new one (shown in the form)."""
        host = self.host_combo.currentData() or DEFAULT_HOST
        public_url = check_public_url(self.public_edit.text())
        token = self.token_edit.text() or None
        if token is None and not is_loopback(host):
            token = new_token()
            self._set_token(token)
        return ServerConfig(host, self.port_spin.value(), public_url, token)

    def _form_config_quietly(self) -> ServerConfig | None:
        host = self.host_combo.currentData() or DEFAULT_HOST
        try:
            public_url = check_public_url(self.public_edit.text())
        except ValueError:
            return None
        return ServerConfig(
            host, self.port_spin.value(), public_url, self.token_edit.text() or None
        )

    def has_pending_changes(self) -> bool:
        """Whether the form differs from the configuration in use."""
        return self._form_config_quietly() != self.services.server_config

    def apply(self) -> bool:
        """Check the form and use it: remembered, and a running server restarts with it.
        False (and the message shown in place) for wrong input: nothing is applied then."""
        try:
            config = self.form_config()
        except ValueError as exc:
            self._show_input_error(str(exc))
            return False
        self.input_error.hide()
        if self.services.flow_server_running is not None and not self._calls_may_break("restart"):
            return False
        self.settings.set("server/host", config.host)
        self.settings.set("server/port", config.port)
        self.settings.set("server/public-url", config.public_url or "")
        self.keychain.set(FLOW_SERVER, SERVER_TOKEN, config.token or "")  # "" deletes it
        restarting = self.services.flow_server_running is not None
        try:
            self.services.configure_flow_server(config)
        except Exception as exc:  # the restart could not listen: said, the server stopped
            self._failed(exc)
        else:
            if not restarting:
                self.error = None
        self._show_state()
        self._update_form()
        return True

    def _show_input_error(self, text: str) -> None:
        self.input_error.setText(text)
        self.input_error.setStyleSheet(f"color: {self._colour(_ERROR_COLOURS)};")
        self.input_error.show()

    def _update_form(self) -> None:
        host = self.host_combo.currentData() or DEFAULT_HOST
        loopback = is_loopback(host)
        has_token = bool(self.token_edit.text())
        self.copy_token_button.setEnabled(has_token)
        self.clear_token_button.setEnabled(has_token and loopback)
        notes = []
        if not loopback:
            notes.append("Required: other machines can reach the server.")
        elif not has_token:
            notes.append("Not needed on this computer; generate one before using a tunnel.")
        if not self.keychain.available and not self.keychain.using_file:
            notes.append(
                "No system keyring: the token is kept for this session only, so the URLs "
                "change at the next start."
            )
        self.token_note.setText(" ".join(notes))
        self.token_note.setVisible(bool(notes))
        port = self.port_spin.value() or self._running_port() or "PORT"
        self.explanation.setText(
            "CarrierX fetches your flows over the internet, so a server on this computer "
            f"needs a tunnel: for example <code>ngrok http {port}</code>, "
            f"<code>cloudflared tunnel --url http://localhost:{port}</code> or "
            f"<code>ssh -R 80:localhost:{port} host</code>. Put the public address it gives "
            "here: <code>flow:</code> references then resolve to it. With a tunnel, generate "
            "a token too."
        )
        pending = self.has_pending_changes()
        self.apply_button.setEnabled(pending)
        self.pending_label.setVisible(pending)

    def _running_port(self) -> int | None:
        server = self.services.flow_server_running
        if server is None:
            return None
        return int(server.url.rsplit(":", 1)[1])

    # -- the server ---------------------------------------------------------------------------

    def start(self) -> bool:
        """Apply pending changes, then start the server; False (and why, shown) if it cannot."""
        if self.has_pending_changes() and not self.apply():
            return False
        try:
            self.services.flow_server()
        except Exception as exc:
            self._failed(exc)
            self._show_state()
            return False
        self._show_state()
        return True

    def stop(self) -> None:
        if not self._calls_may_break("stop"):
            return
        self.services.stop_flow_server()
        self._show_state()

    def _calls_may_break(self, what: str) -> bool:
        """Ask before a restart or stop breaks sandbox calls that are running (their next
        request would find no server, or an old port). True: go ahead."""
        running = self.services.active_calls()
        if not running:
            return True
        calls = "1 sandbox call is" if running == 1 else f"{running} sandbox calls are"
        answer = QMessageBox.question(
            self,
            "Flow server",
            f"{calls} running. If the flow server {what}s now, their next request fails "
            f"and they end. {what.capitalize()} anyway?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _failed(self, exc: Exception) -> None:
        from ...core.server import ServerError

        if not isinstance(exc, ServerError | ValueError):
            _logger.exception("the flow server could not start")
        self.error = str(exc) or type(exc).__name__

    def _show_state(self) -> None:
        server = self.services.flow_server_running
        if server is not None:
            text = f"Running at {server.url}"
            if server.public_url:
                text += f"\nPublic at {server.public_url}"
            colour = self._colour(_OK_COLOURS)
        elif self.error:
            text = f"Could not start: {self.error}"
            colour = self._colour(_ERROR_COLOURS)
        else:
            text, colour = "Stopped", None
        self.state_label.setText(text)
        self.state_label.setStyleSheet(f"color: {colour};" if colour else "")
        self.start_button.setEnabled(server is None)
        self.stop_button.setEnabled(server is not None)
        self._update_form()

    def _colour(self, pair: tuple[str, str]) -> str:
        dark = self.palette().color(QPalette.ColorRole.Base).lightness() < 128
        return pair[1] if dark else pair[0]

    # -- flow URLs ----------------------------------------------------------------------------

    def refresh_urls(self) -> None:
        """Show the URL of every published flow (cheap when nothing changed)."""
        server = self.services.flow_server_running
        if server is None:
            rows: tuple[tuple[str, str, bool], ...] = ()
        else:
            entry = server.snapshot.entry
            rows = tuple((name, url, name == entry) for name, url in server.flow_urls().items())
        if rows == self._shown_urls:
            return
        self._shown_urls = rows
        while self.urls_grid.count():
            item = self.urls_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for row, (name, url, entry) in enumerate(rows):
            self._add_url_row(row, name, url, entry)
        self.urls_empty.setText(
            self.NOT_RUNNING_URLS if server is None else "The project has no flows to serve."
        )
        self.urls_empty.setVisible(not rows)
        self.urls_grid_box.setVisible(bool(rows))

    def _add_url_row(self, row: int, name: str, url: str, entry: bool) -> None:
        box = self.urls_grid_box
        label = QLabel(f"<b>{html.escape(name)}</b>" + (" (entry)" if entry else ""), box)
        label.setToolTip(
            f"The flow {name!r}" + (": the entry flow, also served at /" if entry else "")
        )
        field = UrlLabel(url, box)
        field.setToolTip(f"{url}\n(select to copy part of it)")
        button = QToolButton(box)
        button.setText("Copy")
        button.setToolTip(f"Copy the URL of {name!r} to the clipboard")
        button.clicked.connect(lambda _checked=False, u=url, n=name: self.copy_url(n, u))
        self.urls_grid.addWidget(label, row, 0)
        self.urls_grid.addWidget(field, row, 1)
        self.urls_grid.addWidget(button, row, 2)

    def url_rows(self) -> list[tuple[str, str, bool]]:
        """(flow name, URL, is the entry) of each row shown."""
        return list(self._shown_urls or ())

    def copy_url(self, name: str, url: str) -> None:
        _copy(url)
        self._say_copied(f"Copied the URL of {name}.")

    def _say_copied(self, text: str) -> None:
        self.copied_label.setText(text)
        self.copied_label.show()

    def copy_url_of(self, name: str) -> str | None:
        """Copy the URL shown for flow `name`; returns it (None when not shown)."""
        for shown, url, _entry in self._shown_urls or ():
            if shown == name:
                self.copy_url(name, url)
                return url
        return None

    # -- slots --------------------------------------------------------------------------------

    def on_start_button_clicked(self) -> None:
        self.start()

    def on_stop_button_clicked(self) -> None:
        self.stop()

    def on_apply_button_clicked(self) -> None:
        self.apply()

    def on_generate_button_clicked(self) -> None:
        self._set_token(new_token())
        self._update_form()

    def _set_token(self, token: str) -> None:
        self.token_edit.setText(token)
        self.token_edit.setCursorPosition(0)

    def on_copy_token_button_clicked(self) -> None:
        if self.token_edit.text():
            _copy(self.token_edit.text())
            self._say_copied("Copied the token.")

    def on_clear_token_button_clicked(self) -> None:
        self.token_edit.clear()
        self._update_form()

    def on_host_combo_current_index_changed(self, _index: int) -> None:
        host = self.host_combo.currentData() or DEFAULT_HOST
        if not self.token_edit.text() and not is_loopback(host):
            self._set_token(new_token())  # required off loopback
        self._update_form()

    def on_form_edited(self, *_args) -> None:
        self.input_error.hide()
        self._update_form()

    def on_services_flow_server_started(self) -> None:
        self.error = None
        self._show_state()
        self.refresh_urls()

    def on_services_flow_server_stopped(self) -> None:
        self._show_state()
        self.refresh_urls()


def _copy(text: str) -> None:
    # setText, not setMimeData: a QMimeData made in Python crashed at exit (PySide6 6.12).
    QGuiApplication.clipboard().setText(text)
