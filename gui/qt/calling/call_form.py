"""The dial pad's call form: where the call comes from (From: one of the endpoint's DIDs),
what it runs (a project flow, served by the flow server, or a custom URL) and how (method;
under More options the delay, the ring timeout and the status callback), with a warning
when a real CarrierX could not reach what the call needs (gui.core.calling's rules)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.calling import CallPlan, warnings
from ..common.names import findable
from ..common.services import Services
from .pad_styles import WARN_STYLE
from .wrap_label import WrapLabel

CUSTOM_URL = "Custom URL…"
DEFAULT_RING_TIMEOUT = 30  # seconds, while More options is closed


class CallForm(QWidget):
    """See the module docstring. The host fills the flows (`set_flows`) and the DIDs
    (`set_dids`), and calls `update_warning` when the selected profile changes."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(self._build_route())
        self.options_toggle = findable(QToolButton(), "dial-options", "More options")
        self.options_toggle.setText("More options")
        self.options_toggle.setCheckable(True)
        self.options_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.options_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.options_toggle.setAutoRaise(True)
        self.options_toggle.setToolTip("Delay, ring timeout and the status callback")
        self.options_toggle.toggled.connect(self._show_options)
        layout.addWidget(self.options_toggle)
        self.options_box = self._build_options()
        self.options_box.hide()
        layout.addWidget(self.options_box)
        self.warning_label = findable(WrapLabel(), "dial-warning", "Warning")
        self.warning_label.setToolTip("Why the call as set up would not work on CarrierX")
        self.warning_label.setStyleSheet(WARN_STYLE)
        self.warning_label.hide()
        layout.addWidget(self.warning_label)

    def _build_route(self) -> QFormLayout:
        form = QFormLayout()
        from_row = QHBoxLayout()
        self.from_combo = findable(QComboBox(), "dial-from", "Call from")
        self.from_combo.setEditable(True)
        self.from_combo.setToolTip(
            "The DID the call comes from (calling_did): one routed to this endpoint. "
            "Empty: the first from GET /dids."
        )
        self.from_combo.lineEdit().setPlaceholderText("first DID of the endpoint")
        _narrow(self.from_combo)
        from_row.addWidget(self.from_combo, 1)
        self.refresh_dids_button = findable(QToolButton(), "dial-refresh-dids", "Refresh DIDs")
        self.refresh_dids_button.setText("↻")
        self.refresh_dids_button.setToolTip("Ask the endpoint for its DIDs (GET /dids)")
        from_row.addWidget(self.refresh_dids_button)
        form.addRow("From", from_row)
        self.flow_combo = findable(QComboBox(), "dial-flow", "Flow to run")
        self.flow_combo.setToolTip(
            "What the call runs: a flow of this project, served by the flow server "
            "(started when needed), or any URL"
        )
        self.flow_combo.currentIndexChanged.connect(self.update_flow)
        _narrow(self.flow_combo)
        form.addRow("Flow", self.flow_combo)
        self.url_edit = findable(QLineEdit(), "dial-url", "Flow URL")
        self.url_edit.setPlaceholderText("https://example.com/flexml")
        self.url_edit.setToolTip("The URL CarrierX requests when the call is answered")
        self.url_edit.textChanged.connect(self.update_warning)
        form.addRow("URL", self.url_edit)
        self.method_combo = findable(QComboBox(), "dial-method", "Method")
        self.method_combo.addItems(["POST", "GET"])
        self.method_combo.setToolTip(
            "How CarrierX requests the URL: POST sends the call's fields as JSON, GET as a query"
        )
        form.addRow("Method", self.method_combo)
        return form

    def _build_options(self) -> QWidget:
        box = QWidget()
        options = QFormLayout(box)
        options.setContentsMargins(16, 0, 0, 0)
        self.delay_spin = findable(QSpinBox(), "dial-delay", "Delay")
        self.delay_spin.setRange(0, 7 * 24 * 3600)
        self.delay_spin.setSuffix(" s")
        self.delay_spin.setSpecialValueText("now")
        self.delay_spin.setToolTip("Schedule the call this many seconds from now (delay)")
        options.addRow("Delay", self.delay_spin)
        self.timeout_spin = findable(QSpinBox(), "dial-ring-timeout", "Ring timeout")
        self.timeout_spin.setRange(1, 600)
        self.timeout_spin.setValue(DEFAULT_RING_TIMEOUT)
        self.timeout_spin.setSuffix(" s")
        self.timeout_spin.setToolTip("How long the called number rings before giving up")
        options.addRow("Ring timeout", self.timeout_spin)
        self.status_check = QCheckBox("To the flow server's /status")
        findable(self.status_check, "dial-status-to-server", "Status callback to the flow server")
        self.status_check.setChecked(True)
        self.status_check.setToolTip(
            "Send the end-of-call status callback to the flow server, which logs it"
        )
        self.status_check.toggled.connect(self.update_status_edit)
        self.status_check.toggled.connect(self.update_warning)
        options.addRow("Status callback", self.status_check)
        self.status_edit = findable(QLineEdit(), "dial-status-url", "Status callback URL")
        self.status_edit.setPlaceholderText("none (or a URL of your own)")
        self.status_edit.setToolTip("Where CarrierX sends the end-of-call status, if anywhere")
        options.addRow("", self.status_edit)
        self.update_status_edit(True)
        return box

    def controls(self) -> tuple[QWidget, ...]:
        """What is disabled while the pad is busy."""
        return (
            self.from_combo,
            self.refresh_dids_button,
            self.flow_combo,
            self.url_edit,
            self.method_combo,
            self.options_toggle,
            self.options_box,
        )

    def _show_options(self, shown: bool) -> None:
        self.options_box.setVisible(shown)
        self.options_toggle.setArrowType(
            Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        )

    def plan(self, to: str, region: str) -> CallPlan:
        """The call as the form sets it up, to the number `to` as typed."""
        options = self.options_toggle.isChecked()
        to_server = self.status_check.isChecked()
        return CallPlan(
            to=to,
            region=region,
            calling_did=self.from_combo.currentText().strip(),
            flow=self.selected_flow(),
            url=self.url_edit.text().strip(),
            method=self.method_combo.currentText(),
            delay=(self.delay_spin.value() or None) if options else None,
            timeout=self.timeout_spin.value() if options else DEFAULT_RING_TIMEOUT,
            status_to_server=to_server,
            status_url=None if to_server else self.status_edit.text().strip() or None,
        )

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
        self.update_flow()

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

    def choose_custom_url(self, url: str) -> None:
        self.flow_combo.setCurrentIndex(self.flow_combo.count() - 1)
        self.url_edit.setText(url)

    def show_served_url(self, url: str) -> None:
        """The URL the flow server serves the chosen flow at (its token masked)."""
        self.url_edit.setText(self.services.mask(url))
        self.update_warning()

    def update_flow(self) -> None:
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
        self.update_warning()

    def _is_flow_url(self, url: str) -> bool:
        server = self.services.flow_server_running
        if server is None:
            return False
        return url in {self.services.mask(u) for u in server.flow_urls().values()}

    def update_status_edit(self, to_server: bool | None = None) -> None:
        if to_server is None:
            to_server = self.status_check.isChecked()
        self.status_edit.setEnabled(not to_server)

    # -- the warning ---------------------------------------------------------------------------

    def update_warning(self) -> None:
        warning = self.warning()
        self.warning_label.setText(warning or "")
        self.warning_label.setVisible(bool(warning))

    def warning(self) -> str | None:
        """Why the call as set up cannot work, or is unsafe, on a real CarrierX endpoint:
        credentials over plain http, or a flow or status URL CarrierX cannot reach."""
        profile = self._selected_profile()
        if profile is None:
            return None
        server = self.services.flow_server_running
        public = server is not None and server.public_url is not None
        plan = self.plan("", "US")
        found = warnings(plan, profile.api_url, sandbox=profile.is_sandbox, server_public=public)
        return found[0] if found else None

    def is_sandbox(self) -> bool:
        """Whether the selected profile is the sandbox (its calls reach no real network)."""
        profile = self._selected_profile()
        return profile is not None and profile.is_sandbox

    def _selected_profile(self):
        try:
            return self.services.profiles.get(self.services.profiles.selected)
        except (ValueError, OSError):  # an unreadable profile store: its panel says why
            return None


def _narrow(combo: QComboBox) -> None:
    """A long item (a flow's name, a DID typed) must not widen the pad: the combo is as
    wide as the pad makes it, and its list shows the whole item."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(12)
