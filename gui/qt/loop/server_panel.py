"""The Flow server panel: start and stop the server, where it listens, how CarrierX reaches it
(public URL, access token), and the URL of every flow to copy.

The form is applied as a whole (Apply, or Start with changes pending): host, port and public
URL go to the settings, the token to the keychain (it is a secret), and the configuration
to `Services.configure_flow_server`, which restarts a running server. The panel follows the
server's start and stop wherever they come from (the dial pad starts it on demand).
"""

from __future__ import annotations

import logging
import secrets
from urllib.parse import urlsplit

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ...core.keychain import FLOW_SERVER, SERVER_TOKEN, Keychain
from ...core.net import is_loopback
from ..common.names import findable
from ..common.services import ServerConfig, Services
from ..common.settings import SettingsStore
from .server_widgets import DEFAULT_HOST, NOT_RUNNING_URLS, FlowUrlsBox, SettingsBox, copy_text

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


class ServerPanel(QWidget):
    """See the module docstring. `refresh_urls()` is the host's to call after each refresh of
    the project (flows added, renamed or removed)."""

    NOT_RUNNING_URLS = NOT_RUNNING_URLS

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
        self._build()
        self._load()
        self._connect_signals()
        self._show_state()
        self.refresh_urls()

    # -- building -----------------------------------------------------------------------------

    def _build(self) -> None:
        self.state_label = QLabel(self)
        self.state_label.setObjectName("server-state")
        self.state_label.setWordWrap(True)
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state_label.setToolTip("Whether the flow server runs, and where it listens")
        self.start_button = QPushButton("Start", self)
        findable(self.start_button, "server-start", "Start the flow server")
        self.start_button.setToolTip(
            "Start serving the project's flows (pending changes below are applied first)"
        )
        self.stop_button = QPushButton("Stop", self)
        findable(self.stop_button, "server-stop", "Stop the flow server")
        self.stop_button.setToolTip("Stop the flow server; CarrierX can no longer fetch flows")
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        self.settings_box = SettingsBox(self)
        self.urls_box = FlowUrlsBox(self)

        layout = QVBoxLayout(self)
        layout.addWidget(self.state_label)
        layout.addLayout(buttons)
        layout.addWidget(self.settings_box)
        layout.addWidget(self.urls_box)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._forward_parts()

    def _forward_parts(self) -> None:
        # The parts' controls under the names the window, the screenshots and tests use.
        self.address_form = address = self.settings_box.address
        self.token_box = token = self.settings_box.token
        self.host_combo, self.port_spin = address.host_combo, address.port_spin
        self.public_edit, self.explanation = address.public_edit, address.explanation
        self.token_edit, self.token_note = token.token_edit, token.token_note
        self.generate_button = token.generate_button
        self.copy_token_button = token.copy_token_button
        self.clear_token_button = token.clear_token_button
        self.input_error = self.settings_box.input_error
        self.apply_button = self.settings_box.apply_button
        self.pending_label = self.settings_box.pending_label
        self.urls_empty, self.copied_label = self.urls_box.urls_empty, self.urls_box.copied_label
        self.urls_grid_box, self.urls_grid = self.urls_box.urls_grid_box, self.urls_box.urls_grid

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
        self.address_form.select_host(host)
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

    def form_config(self) -> ServerConfig:
        """The configuration the form says; ValueError (for people) for wrong input. Off
        loopback, an empty token is replaced by a new one (shown in the form)."""
        host = self.address_form.host()
        public_url = check_public_url(self.public_edit.text())
        token = self.token_box.token() or None
        if token is None and not is_loopback(host):
            token = new_token()
            self._set_token(token)
        return ServerConfig(host, self.port_spin.value(), public_url, token)

    def _form_config_quietly(self) -> ServerConfig | None:
        try:
            public_url = check_public_url(self.public_edit.text())
        except ValueError:
            return None
        return ServerConfig(
            self.address_form.host(),
            self.port_spin.value(),
            public_url,
            self.token_box.token() or None,
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
        self.settings_box.show_input_error(text, self._colour(_ERROR_COLOURS))

    def _update_form(self) -> None:
        host = self.address_form.host()
        loopback = is_loopback(host)
        session_only = not self.keychain.available and not self.keychain.using_file
        self.token_box.show_need(loopback, session_only)
        self.address_form.show_port(self.port_spin.value() or self._running_port() or "PORT")
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
        self.urls_box.show_rows(rows, running=server is not None)

    def url_rows(self) -> list[tuple[str, str, bool]]:
        """(flow name, URL, is the entry) of each row shown."""
        return self.urls_box.rows()

    def copy_url(self, name: str, url: str) -> None:
        self.urls_box.copy_url(name, url)

    def copy_url_of(self, name: str) -> str | None:
        """Copy the URL shown for flow `name`; returns it (None when not shown)."""
        return self.urls_box.copy_url_of(name)

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
        self.token_box.set_token(token)

    def on_copy_token_button_clicked(self) -> None:
        if self.token_box.token():
            copy_text(self.token_box.token())
            self.urls_box.say_copied("Copied the token.")

    def on_clear_token_button_clicked(self) -> None:
        self.token_edit.clear()
        self._update_form()

    def on_host_combo_current_index_changed(self, _index: int) -> None:
        host = self.address_form.host()
        if not self.token_box.token() and not is_loopback(host):
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
