"""The dial pad: type or tap a number, choose a DID and a flow, and place the call.

The call goes through the selected profile's FlexML API (`POST /calls`), asynchronously: the
controls are disabled and a busy bar shows while it is on its way, and re-enabled whatever
happens. Every attempt goes to the call log. During a sandbox call placed from here, the
keys send tones into the call (the sandbox's Gathers take them) and the call's progress is
listed under the pad.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..common import tasks
from ..common.services import Services
from ..common.settings import SettingsStore

KEYS = (
    ("1", ""),
    ("2", "ABC"),
    ("3", "DEF"),
    ("4", "GHI"),
    ("5", "JKL"),
    ("6", "MNO"),
    ("7", "PQRS"),
    ("8", "TUV"),
    ("9", "WXYZ"),
    ("*", ""),
    ("0", "+"),
    ("#", ""),
)
TONE_KEYS = "0123456789*#"
HOLD_MS = 600  # holding 0 this long types "+"
CUSTOM_URL = "Custom URL…"
_ALLOWED = set("0123456789+*#()-. /") | set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_PROSE = re.compile(r"[A-Za-z]*[a-z][A-Za-z]*")  # a word with a small letter: not keypad letters
_OK_STYLE = "color: palette(text);"
_ERROR_STYLE = "color: #b3261e;"
_WARN_STYLE = "color: #8a5300;"


@dataclass(frozen=True)
class CallPlan:
    """Everything a call needs, read from the pad (the number still as typed)."""

    typed: str
    calling_did: str
    flow: str | None  # a project flow, or None for a custom URL
    custom_url: str
    method: str
    delay: int
    timeout: int
    status_to_server: bool
    status_url: str


class DialPad(QWidget):
    """See the module docstring. `endpoint()` gives the selected profile's Endpoint (it may
    raise with a message for people); the host feeds flows and DIDs in."""

    call_logged = Signal(object)  # the CallEntry written for each attempt
    dids_loaded = Signal(list)  # phone numbers from GET /dids

    def __init__(
        self,
        services: Services,
        endpoint: Callable[[], object],
        settings: SettingsStore | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self._endpoint = endpoint
        self.settings = settings or SettingsStore()
        self.busy = False
        self.active_call: str | None = None  # a sandbox call whose Gathers take our keys
        # Set by the window: takes a key (True) when the Simulator waits for one.
        self.key_sink: Callable[[str], bool] | None = None
        self._tones = ""
        self._last_text = ""
        self._held_plus = False
        self._hold_timer = QTimer(self, singleShot=True, interval=HOLD_MS)
        self._hold_timer.timeout.connect(self._on_zero_held)
        self._build()
        self.services.sandbox_events.connect(self._on_sandbox_events)
        self.number_edit.setText(self.settings.get("dialpad/last-number"))
        self._update_number()
        self._update_flow()

    # -- building ----------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setSpacing(4)

        top = QHBoxLayout()
        self.number_edit = QLineEdit()
        self.number_edit.setObjectName("dial-number")
        self.number_edit.setPlaceholderText("Number to call, e.g. +1 (516) 206-5318")
        self.number_edit.setToolTip(
            "The number to call: type, paste or use the keys. Letters map to digits as on "
            "a phone; hold 0 for +. Enter places the call."
        )
        font = QFont(self.number_edit.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        self.number_edit.setFont(font)
        self.number_edit.textChanged.connect(self._on_text_changed)
        self.number_edit.returnPressed.connect(self.call)
        self.number_edit.installEventFilter(self)
        top.addWidget(self.number_edit, 1)
        self.backspace_button = QToolButton()
        self.backspace_button.setText("⌫")
        self.backspace_button.setToolTip("Delete the last character (Backspace)")
        self.backspace_button.clicked.connect(self.backspace)
        top.addWidget(self.backspace_button)
        self.clear_button = QToolButton()
        self.clear_button.setText("Clear")
        self.clear_button.setToolTip("Clear the number (Esc in the number field)")
        self.clear_button.clicked.connect(self.number_edit.clear)
        top.addWidget(self.clear_button)
        self.region_combo = QComboBox()
        self.region_combo.setObjectName("dial-region")
        self.region_combo.setToolTip("The country of numbers typed without a + and country code")
        self._fill_regions()
        self.region_combo.currentIndexChanged.connect(self._on_region_changed)
        top.addWidget(self.region_combo)
        layout.addLayout(top)

        self.normalized_label = QLabel()
        self.normalized_label.setObjectName("dial-normalized")
        self.normalized_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.normalized_label.setToolTip("Exactly what is sent to CarrierX as called_did")
        layout.addWidget(self.normalized_label)

        grid = QGridLayout()
        grid.setSpacing(4)
        self.key_buttons: dict[str, QToolButton] = {}
        for position, (key, letters) in enumerate(KEYS):
            button = QToolButton()
            button.setObjectName(f"dial-key-{key}")
            button.setText(f"{key}   {letters}" if letters else key)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setMinimumSize(56, 30)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            tip = f"{key}" + (f" ({letters})" if letters and key != "0" else "")
            if key == "0":
                tip = "0; hold for +"
            button.setToolTip(tip + ". During a sandbox call: sends the tone.")
            if key == "0":
                button.pressed.connect(self._hold_timer.start)
                button.released.connect(self._on_zero_released)
            else:
                button.clicked.connect(lambda _=False, k=key: self.press(k))
            grid.addWidget(button, position // 3, position % 3)
            self.key_buttons[key] = button
        layout.addLayout(grid)

        form = QFormLayout()
        from_row = QHBoxLayout()
        self.from_combo = QComboBox()
        self.from_combo.setObjectName("dial-from")
        self.from_combo.setEditable(True)
        self.from_combo.setToolTip(
            "The DID the call comes from (calling_did): one routed to this endpoint. "
            "Empty: the first from GET /dids."
        )
        self.from_combo.lineEdit().setPlaceholderText("first DID of the endpoint")
        from_row.addWidget(self.from_combo, 1)
        self.refresh_dids_button = QToolButton()
        self.refresh_dids_button.setText("↻")
        self.refresh_dids_button.setToolTip("Ask the endpoint for its DIDs (GET /dids)")
        self.refresh_dids_button.clicked.connect(self.refresh_dids)
        from_row.addWidget(self.refresh_dids_button)
        form.addRow("From", from_row)

        self.flow_combo = QComboBox()
        self.flow_combo.setObjectName("dial-flow")
        self.flow_combo.setToolTip(
            "What the call runs: a flow of this project, served by the flow server "
            "(started when needed), or any URL"
        )
        self.flow_combo.currentIndexChanged.connect(self._update_flow)
        form.addRow("Flow", self.flow_combo)
        self.url_edit = QLineEdit()
        self.url_edit.setObjectName("dial-url")
        self.url_edit.setPlaceholderText("https://example.com/flexml")
        self.url_edit.setToolTip("The URL CarrierX requests when the call is answered")
        self.url_edit.textChanged.connect(self._update_warning)
        form.addRow("URL", self.url_edit)
        self.method_combo = QComboBox()
        self.method_combo.addItems(["POST", "GET"])
        self.method_combo.setToolTip(
            "How CarrierX requests the URL: POST sends the call's fields as JSON, GET as a query"
        )
        form.addRow("Method", self.method_combo)
        layout.addLayout(form)

        self.options_toggle = QToolButton()
        self.options_toggle.setObjectName("dial-options")
        self.options_toggle.setText("More options")
        self.options_toggle.setCheckable(True)
        self.options_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.options_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.options_toggle.setAutoRaise(True)
        self.options_toggle.setToolTip("Delay, ring timeout and the status callback")
        layout.addWidget(self.options_toggle)
        self.options_box = QWidget()
        options = QFormLayout(self.options_box)
        options.setContentsMargins(16, 0, 0, 0)
        self.delay_spin = QSpinBox()
        self.delay_spin.setRange(0, 7 * 24 * 3600)
        self.delay_spin.setSuffix(" s")
        self.delay_spin.setSpecialValueText("now")
        self.delay_spin.setToolTip("Schedule the call this many seconds from now (delay)")
        options.addRow("Delay", self.delay_spin)
        self.timeout_spin = QSpinBox()
        self.timeout_spin.setRange(1, 600)
        self.timeout_spin.setValue(30)
        self.timeout_spin.setSuffix(" s")
        self.timeout_spin.setToolTip("How long the called number rings before giving up")
        options.addRow("Ring timeout", self.timeout_spin)
        self.status_check = QCheckBox("To the flow server's /status")
        self.status_check.setChecked(True)
        self.status_check.setToolTip(
            "Send the end-of-call status callback to the flow server, which logs it"
        )
        self.status_check.toggled.connect(self._update_status_edit)
        self.status_check.toggled.connect(self._update_warning)
        options.addRow("Status callback", self.status_check)
        self.status_edit = QLineEdit()
        self.status_edit.setPlaceholderText("none (or a URL of your own)")
        self.status_edit.setToolTip("Where CarrierX sends the end-of-call status, if anywhere")
        options.addRow("", self.status_edit)
        self._update_status_edit(True)
        self.options_box.hide()
        self.options_toggle.toggled.connect(self._show_options)
        layout.addWidget(self.options_box)

        self.warning_label = QLabel()
        self.warning_label.setObjectName("dial-warning")
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet(_WARN_STYLE)
        self.warning_label.hide()
        layout.addWidget(self.warning_label)

        call_row = QHBoxLayout()
        self.call_button = QPushButton("Call")
        self.call_button.setObjectName("dial-call")
        self.call_button.setToolTip("Place the call (Enter)")
        self.call_button.setMinimumHeight(32)
        self.call_button.setStyleSheet(
            "QPushButton { background: #1e8e3e; color: white; font-weight: bold; "
            "border-radius: 4px; padding: 4px 16px; } "
            "QPushButton:disabled { background: #9aa0a6; }"
        )
        self.call_button.clicked.connect(self.call)
        call_row.addWidget(self.call_button, 1)
        layout.addLayout(call_row)
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumHeight(6)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.hide()
        layout.addWidget(self.busy_bar)

        self.result_label = QLabel()
        self.result_label.setObjectName("dial-result")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result_label)

        self.call_label = QLabel()
        self.call_label.setObjectName("dial-in-call")
        self.call_label.setWordWrap(True)
        self.call_label.hide()
        layout.addWidget(self.call_label)
        self.progress_list = QListWidget()
        self.progress_list.setObjectName("dial-progress")
        self.progress_list.setToolTip("What happens on the sandbox call placed from here")
        self.progress_list.hide()
        layout.addWidget(self.progress_list, 1)
        layout.addStretch(0)

        self._controls = (
            self.number_edit,
            self.region_combo,
            self.from_combo,
            self.refresh_dids_button,
            self.flow_combo,
            self.url_edit,
            self.method_combo,
            self.options_toggle,
            self.options_box,
            self.call_button,
            self.backspace_button,
            self.clear_button,
        )
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.number_edit)
        escape.setContext(Qt.ShortcutContext.WidgetShortcut)
        escape.activated.connect(self.number_edit.clear)

    def _fill_regions(self) -> None:
        # The country-code table, not country_code_for_region(): that loads every region's
        # metadata (0.1 s at start-up).
        from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

        current = self.settings.get("phone/region") or "US"
        codes = {
            region: code
            for code, regions in COUNTRY_CODE_TO_REGION_CODE.items()
            for region in regions
            if len(region) == 2 and region.isalpha()  # not "001" (non-geographic)
        }
        for region in sorted(codes):
            self.region_combo.addItem(f"{region} +{codes[region]}", region)
        index = self.region_combo.findData(current)
        self.region_combo.setCurrentIndex(index if index >= 0 else self.region_combo.findData("US"))

    def _show_options(self, shown: bool) -> None:
        self.options_box.setVisible(shown)
        self.options_toggle.setArrowType(
            Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        )

    # -- the number ----------------------------------------------------------------------------

    @property
    def region(self) -> str:
        return self.region_combo.currentData() or "US"

    def press(self, key: str) -> None:
        """A key of the pad: for a simulated call waiting for keys (`key_sink`), else a tone
        into the running sandbox call, else typed."""
        if key in TONE_KEYS and self.key_sink is not None and self.key_sink(key):
            return
        if self.active_call is not None and key in TONE_KEYS:
            if self.services.press(self.active_call, key):
                self._tones += key
                self.call_label.setText(self._call_text())
                return
            self._end_call()
        self.number_edit.insert(key)

    def backspace(self) -> None:
        self.number_edit.backspace()

    def _on_zero_held(self) -> None:
        self._held_plus = True
        if self.active_call is None:
            self.number_edit.insert("+")

    def _on_zero_released(self) -> None:
        if self._hold_timer.isActive():
            self._hold_timer.stop()
            self.press("0")
        elif self._held_plus:
            self._held_plus = False
            if self.active_call is not None:
                self.press("0")

    def _on_text_changed(self, text: str) -> None:
        cleaned = "".join(c for c in text if c in _ALLOWED)
        pasted = abs(len(text) - len(self._last_text)) > 1  # a paste or setText, not a key
        if cleaned != text or (pasted and _PROSE.search(text)):
            # Pasted prose ("Call me at +1 516 ..."): keep the number written in it. Words
            # are never keypad letters here ("Bob 206-5318" must not dial 262-2065318);
            # only typed letters, or capitals (1-800-FLOWERS), are.
            cleaned = _number_in(text, self.region) or _PROSE.sub("", cleaned).strip()
            position = self.number_edit.cursorPosition()
            self.number_edit.blockSignals(True)
            self.number_edit.setText(cleaned)
            self.number_edit.setCursorPosition(min(position, len(cleaned)))
            self.number_edit.blockSignals(False)
        self._last_text = self.number_edit.text()
        self._update_number()

    def _on_region_changed(self) -> None:
        self.settings.set("phone/region", self.region)
        self._update_number()

    def normalized(self):
        from ...core.phone import normalize

        return normalize(self.number_edit.text(), self.region)

    def _update_number(self) -> None:
        text = self.number_edit.text().strip()
        if not text:
            self.normalized_label.setText("Type a number, or use the keys")
            self.normalized_label.setStyleSheet(_OK_STYLE)
            return
        number = self.normalized()
        if number.ok:
            self.normalized_label.setText(f"Sends {number.digits}")
            self.normalized_label.setStyleSheet(_OK_STYLE)
        else:
            self.normalized_label.setText(f"Not a number to call: {number.message}")
            self.normalized_label.setStyleSheet(_ERROR_STYLE)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # While a simulated call waits for keys, or in a sandbox call, keys typed in the
        # number field are tones, not edits.
        if watched is self.number_edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.text()
            if key and key in TONE_KEYS:
                if self.key_sink is not None and self.key_sink(key):
                    return True
                if self.active_call is not None:
                    self.press(key)
                    return True
        return super().eventFilter(watched, event)

    # -- flows and DIDs ------------------------------------------------------------------------

    def set_flows(self, names: list[str], entry: str | None, *, reset: bool = False) -> None:
        """The project's flows, the entry first; keeps the choice when it still exists,
        unless `reset` (another project): then the entry is chosen."""
        current = None if reset else self.flow_combo.currentData()
        current_text = "" if reset else self.flow_combo.currentText()
        self.flow_combo.blockSignals(True)
        self.flow_combo.clear()
        ordered = ([entry] if entry in names else []) + [n for n in names if n != entry]
        for name in ordered:
            label = f"{name} (entry)" if name == entry else name
            self.flow_combo.addItem(label, name)
        self.flow_combo.addItem(CUSTOM_URL, None)
        if current_text == CUSTOM_URL:
            self.flow_combo.setCurrentIndex(self.flow_combo.count() - 1)
        else:
            index = self.flow_combo.findData(current) if current else -1
            self.flow_combo.setCurrentIndex(max(index, 0))
        self.flow_combo.blockSignals(False)
        self._update_flow()

    def set_dids(self, dids: list[str]) -> None:
        """Fill "From" with the endpoint's DIDs, keeping what was typed when still listed."""
        typed = self.from_combo.currentText()
        self.from_combo.clear()
        self.from_combo.addItems(dids)
        if typed and typed in dids:
            self.from_combo.setCurrentText(typed)
        elif dids:
            self.from_combo.setCurrentIndex(0)

    def selected_flow(self) -> str | None:
        return self.flow_combo.currentData()

    def _update_flow(self) -> None:
        flow = self.selected_flow()
        custom = flow is None
        self.url_edit.setReadOnly(not custom)
        if custom:
            if self.url_edit.text().startswith("(") or self._is_flow_url(self.url_edit.text()):
                self.url_edit.clear()
        else:
            server = self.services.flow_server_running
            if server is not None and flow in server.flow_urls():
                self.url_edit.setText(self.services.mask(server.flow_urls()[flow]))
            else:
                self.url_edit.setText(f"(the flow server's /flows/{flow}, started on Call)")
        self._update_warning()

    def _is_flow_url(self, url: str) -> bool:
        server = self.services.flow_server_running
        if server is None:
            return False
        return url in {self.services.mask(u) for u in server.flow_urls().values()}

    def _update_status_edit(self, to_server: bool) -> None:
        self.status_edit.setEnabled(not to_server)

    def _update_warning(self) -> None:
        warning = self.warning()
        self.warning_label.setText(warning or "")
        self.warning_label.setVisible(bool(warning))

    def warning(self) -> str | None:
        """Why the call as set up cannot work, or is unsafe, on a real CarrierX endpoint:
        credentials over plain http, or a flow or status URL CarrierX cannot reach."""
        profile = self._selected_profile()
        if profile is None or profile.is_sandbox:
            return None
        from ...core.profiles import describe_url_risk

        risk = describe_url_risk(profile.api_url)
        if risk:
            return risk
        served = self.selected_flow() is not None
        server = self.services.flow_server_running
        public = server is not None and server.public_url is not None
        if served and not public:
            return (
                "The flow server's address is on this computer (loopback), which CarrierX "
                "cannot reach: give the flow server a public URL (a tunnel such as ngrok or "
                "cloudflared) in the Flow server panel, or use a custom URL."
            )
        url = self.url_edit.text()
        host = "" if url.startswith("(") else (urlsplit(url).hostname or "")
        if not served and _is_loopback(host):
            return f"{host} is this computer: CarrierX cannot reach it."
        if self.status_check.isChecked() and not public:
            return (
                "The status callback goes to the flow server on this computer, which CarrierX "
                "cannot reach: give the flow server a public URL, or untick it under More "
                "options."
            )
        return None

    def _selected_profile(self):
        try:
            return self.services.profiles.get(self.services.profiles.selected)
        except Exception:  # an unreadable profile store: the panel says why
            return None

    def profile_changed(self) -> None:
        """The host says the selected profile changed: DIDs and warnings may differ."""
        self.from_combo.clear()
        self._update_warning()

    # -- busy ------------------------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for control in self._controls:
            control.setEnabled(not busy)
        self.busy_bar.setVisible(busy)
        if not busy:
            self._update_status_edit(self.status_check.isChecked())

    def _show_result(self, text: str, error: bool = False) -> None:
        self.result_label.setText(text)
        self.result_label.setStyleSheet(_ERROR_STYLE if error else _OK_STYLE)
        self._reveal(self.result_label)

    def _reveal(self, widget: QWidget) -> None:
        """Scroll the pad's scroll area (the window's dock has one) to show `widget`."""
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if parent is not None:
            parent.ensureWidgetVisible(widget)

    # -- DIDs ------------------------------------------------------------------------------------

    def _start(self, coro, name: str) -> None:
        """Run an async action: busy at once (a second click finds the pad busy, so nothing
        is sent twice), and back to idle even if the task is cancelled before it starts."""
        self._set_busy(True)
        task = tasks.start(coro, name=name)
        task.add_done_callback(self._after_task)

    def _after_task(self, _task) -> None:
        if shiboken6.isValid(self) and self.busy:  # the window may be gone by now
            self._set_busy(False)

    def refresh_dids(self) -> None:
        if not self.busy:
            self._start(self._refresh_dids(), "refresh DIDs")

    async def _refresh_dids(self) -> None:
        from ...core.carrierx.errors import CarrierXError

        try:
            endpoint = self._endpoint()
            dids = await self.services.client(endpoint).list_dids()
            numbers = [str(d.get("phonenumber", "")) for d in dids if d.get("phonenumber")]
            self.set_dids(numbers)
            self.dids_loaded.emit(numbers)
            self._show_result(
                f"{len(numbers)} DID{'s' if len(numbers) != 1 else ''} routed to this endpoint"
                if numbers
                else "This endpoint has no DIDs: assign one in the CarrierX portal"
            )
        except CarrierXError as exc:
            self._show_result(f"Could not list the DIDs: {exc.message}", error=True)
        except Exception as exc:  # a profile or sandbox problem, said for people
            self._show_result(f"Could not list the DIDs: {_say(exc)}", error=True)
        finally:
            self._set_busy(False)

    # -- calling -----------------------------------------------------------------------------------

    def plan(self) -> CallPlan:
        return CallPlan(
            typed=self.number_edit.text(),
            calling_did=self.from_combo.currentText().strip(),
            flow=self.selected_flow(),
            custom_url=self.url_edit.text().strip(),
            method=self.method_combo.currentText(),
            delay=self.delay_spin.value() if self.options_toggle.isChecked() else 0,
            timeout=self.timeout_spin.value() if self.options_toggle.isChecked() else 30,
            status_to_server=self.status_check.isChecked(),
            status_url=self.status_edit.text().strip(),
        )

    def call(self) -> None:
        """Place the call (Enter or the button): async, the controls back in any case."""
        if self.busy:
            return
        self.settings.set("dialpad/last-number", self.number_edit.text())
        self._start(self.place(self.plan()), "place call")

    async def place(self, plan: CallPlan) -> None:
        from ...core.carrierx import CallRequest
        from ...core.carrierx.errors import CarrierXError

        self._set_busy(True)
        self._show_result("Calling…")
        profile = self.services.profiles.selected
        called = url = ""
        calling = plan.calling_did
        try:
            number = self.normalized()
            called = number.digits if number.ok else plan.typed
            if not number.ok:
                raise _Refused(f"{plan.typed or 'No number'}: {number.message}")
            endpoint = self._endpoint()
            profile = endpoint.profile
            client = self.services.client(endpoint)
            url, status_url = self._urls(plan)
            if not calling:
                dids = await client.list_dids()
                numbers = [str(d.get("phonenumber", "")) for d in dids if d.get("phonenumber")]
                if not numbers:
                    raise _Refused("This endpoint has no DIDs to call from")
                self.set_dids(numbers)
                calling = numbers[0]
            request = CallRequest(
                calling_did=calling,
                called_did=number.digits,
                url=url,
                method=plan.method,
                delay=plan.delay or None,
                timeout=plan.timeout,
                status_callback_url=status_url or None,
            )
            call = await client.create_call(request)
            sid = str(call.get("call_sid", ""))
            scheduled = plan.delay > 0
            details = self.services.mask(call)
            if plan.flow is not None:
                details["flexml_studio_flow"] = plan.flow  # redial finds it after a restart
            self._log(profile, calling, number.digits, url, plan.method, sid, details, scheduled)
            when = f"scheduled in {plan.delay} s" if scheduled else "placed"
            shown = self.services.mask(url)
            self._show_result(
                f"Call {when}: {sid}\nfrom {calling} to {number.digits}\n{shown} ({plan.method})"
            )
            if getattr(endpoint, "is_sandbox", False) and not scheduled:
                self._begin_call(sid)
        except CarrierXError as exc:
            self._fail(profile, calling, called, url, plan.method, exc.message)
        except _Refused as exc:  # an attempt too (the log keeps every one), unless empty
            logged = bool(plan.typed.strip())
            self._fail(profile, calling, called, url, plan.method, str(exc), log=logged)
        except Exception as exc:  # profile, sandbox and flow server errors, said for people
            self._fail(profile, calling, called, url, plan.method, _say(exc))
        finally:
            self._set_busy(False)

    def _urls(self, plan: CallPlan) -> tuple[str, str]:
        """(flow URL, status callback URL): starts the flow server when a flow is served."""
        from ...core.server.routes import STATUS_PATH

        needs_server = plan.flow is not None or plan.status_to_server
        server = self.services.flow_server() if needs_server else None
        if plan.flow is not None:
            assert server is not None
            self.services.publish()
            urls = server.flow_urls()
            if plan.flow not in urls:
                raise _Refused(f"the project has no flow named {plan.flow!r} any more")
            url = urls[plan.flow]
            self.url_edit.setText(self.services.mask(url))
        else:
            url = plan.custom_url
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise _Refused(f"{url or 'The URL'} is not an http:// or https:// URL")
        status = server.base_url + STATUS_PATH if plan.status_to_server and server else ""
        if not plan.status_to_server and plan.status_url:
            status = plan.status_url
        self._update_warning()
        return url, status

    def _fail(self, profile, calling, called, url, method, message: str, log: bool = True) -> None:
        self._show_result(f"The call was not placed: {message}", error=True)
        if log:
            self._write_log(profile, calling, called, url, method, None, "failed", message, {})

    def _log(self, profile, calling, called, url, method, sid, call, scheduled) -> None:
        outcome = "scheduled" if scheduled else "placed"
        self._write_log(profile, calling, called, url, method, sid, outcome, None, call)

    def _write_log(self, profile, calling, called, url, method, sid, outcome, error, details):
        log = self.services.call_log
        if log is None:
            return
        try:
            entry = log.add(
                profile,
                calling,
                called,
                self.services.mask(url),
                method,
                call_sid=sid or None,
                outcome=outcome,
                error=error,
                details=details,
            )
        except Exception as exc:  # a full disk must not hide the call's own result
            self.result_label.setText(self.result_label.text() + f"\n(not logged: {_say(exc)})")
            return
        self.call_logged.emit(entry)

    # -- a call in progress (sandbox) ----------------------------------------------------------

    def _begin_call(self, call_sid: str) -> None:
        self.active_call = call_sid
        self._tones = ""
        self.progress_list.clear()
        self.progress_list.show()
        self.call_label.setText(self._call_text())
        self.call_label.show()

    def _call_text(self) -> str:
        sid = (self.active_call or "")[:8]
        tones = f" Tones sent: {self._tones}" if self._tones else ""
        return f"In sandbox call {sid}…: the keys send tones.{tones}"

    def _end_call(self) -> None:
        if self.active_call is not None:
            self.call_label.setText(f"Call {self.active_call[:8]}… ended.")
        self.active_call = None

    def _on_sandbox_events(self, batch: list) -> None:
        from ...core.runtime.events import Ended

        lines = []
        ended = False
        for call_sid, event in batch:
            if call_sid != self.active_call:
                continue
            lines.append(f"{event.at:6.1f} s  {event.describe()}")
            ended = ended or isinstance(event, Ended)
        if lines:
            self.progress_list.addItems(lines)
            self.progress_list.scrollToBottom()
        if ended:
            self._end_call()

    # -- from the call log ---------------------------------------------------------------------

    def redial(self, entry) -> None:
        """Fill the pad from a call log entry and place the call again."""
        if self.busy:
            self._show_result("Wait for the call on its way to finish, then redial.", True)
            return
        digits = "".join(c for c in entry.to_number if c.isdigit())
        # Kept as E.164 digits without "+": with it, any region reads them right.
        self.number_edit.setText("+" + digits if digits else entry.to_number)
        if entry.from_number:
            self.from_combo.setCurrentText(entry.from_number)
        flow = (entry.details or {}).get("flexml_studio_flow")
        index = self.flow_combo.findData(flow) if flow else -1
        if index >= 0:
            self.flow_combo.setCurrentIndex(index)
        elif flow:
            self._show_result(f"The project has no flow {flow!r} any more: choose one.", True)
            return
        else:
            self.flow_combo.setCurrentIndex(self.flow_combo.count() - 1)  # custom URL
            self.url_edit.setText(entry.url)
        self.method_combo.setCurrentText(entry.method or "POST")
        self.call()

    def cancel(self, entry, on_done: Callable[[object], None] | None = None) -> None:
        """Cancel a scheduled call (DELETE /calls/SID) through the profile that placed it."""
        if self.busy:
            self._show_result("Wait for the pad to finish, then cancel the call.", True)
            return
        self._start(self._cancel(entry, on_done), "cancel call")

    async def _cancel(self, entry, on_done) -> None:
        from ...core.carrierx.errors import CarrierXError, NotFoundError

        try:
            endpoint = self._endpoint_named(entry.profile)
            await self.services.client(endpoint).cancel_call(entry.call_sid)
            self._mark_cancelled(entry, on_done)
            self._show_result(f"Scheduled call {entry.call_sid} cancelled")
        except NotFoundError as exc:
            self._show_result(
                f"Could not cancel {entry.call_sid}: {exc.message} (it may have started "
                "or expired)",
                error=True,
            )
        except CarrierXError as exc:
            self._show_result(f"Could not cancel {entry.call_sid}: {exc.message}", error=True)
        except Exception as exc:
            self._show_result(f"Could not cancel {entry.call_sid}: {_say(exc)}", error=True)
        finally:
            self._set_busy(False)

    def _endpoint_named(self, profile: str):
        """The endpoint of `profile` (the one a logged call went through)."""
        current = self._endpoint()
        if current.profile == profile:
            return current
        from ...core.profiles import resolve

        sandbox = self.services.sandbox() if profile == "Sandbox" else None
        return resolve(self.services.profiles.get(profile), self.services.keychain, sandbox)

    def _mark_cancelled(self, entry, on_done) -> None:
        log = self.services.call_log
        if log is None:
            return
        updated = log.update(entry.id, outcome="cancelled")
        if on_done is not None:
            on_done(updated)


def _is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _number_in(text: str, region: str) -> str | None:
    """The first phone number written in `text`, as written, if there is one."""
    import phonenumbers

    for match in phonenumbers.PhoneNumberMatcher(text, region):
        return "".join(c for c in match.raw_string if c in _ALLOWED)
    return None


class _Refused(Exception):
    """The pad refuses the call before asking the API; the message is for people."""


def _say(exc: BaseException) -> str:
    """An exception's message for people (the class name only when it has none)."""
    text = str(exc).strip()
    if isinstance(exc, KeyError) or not text:
        return type(exc).__name__ + (f": {text}" if text else "")
    return text
