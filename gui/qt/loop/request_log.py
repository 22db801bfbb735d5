"""The request log: every request the flow server answered, live, with an inspector and replay.

Records arrive from `Services.server_records` in batches (one model insertion per batch); the
table keeps the newest MAX_ROWS. Selecting a row shows every parameter and the exact bytes
answered. Replay answers the selected request again from the current draft, through the
server's own routing (gui.core.server.replay), and shows the two answers side by side.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..common.messages import unexpected
from ..common.names import findable
from ..common.services import Services
from ..common.table_model import RowsTableModel
from ..common.theme import is_dark
from ..common.xml_text import XmlView
from .diff_view import DiffView

if TYPE_CHECKING:  # gui.core.server loads aiohttp: replay imports it when first used
    from ...core.project import Project
    from ...core.server.records import RequestRecord

MAX_ROWS = 5000
SID_SHOWN = 8  # characters of a call SID in the table; the tooltip has all of it
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex

_ERROR_COLOURS = ("#B42318", "#FF7B72")  # on a light background, on a dark one
_NUMBER_LIKE = re.compile(r"[\d\s()+.\-]+")
# A call SID, or a piece of one, written with or without dashes: requests carry it as 32 hex
# digits, the API and the call log as a dashed UUID (FLEXML.md §7).
_SID_LIKE = re.compile(r"[0-9a-f-]*[0-9a-f][0-9a-f-]*")

_logger = logging.getLogger(__name__)


def clock(when: float) -> str:
    """Local time of day with milliseconds, "14:02:03.123"."""
    return datetime.fromtimestamp(when).strftime("%H:%M:%S.%f")[:-3]


def param_text(value: Any) -> str:
    """A parameter as shown: strings as they are, anything else as JSON (null, 1, true)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


class RequestTableModel(RowsTableModel):
    """One row per RequestRecord, oldest first, at most MAX_ROWS (older ones are dropped).

    Each row also keeps the base URL the server handed out when the request came (replay
    exports against it when the server no longer runs)."""

    TIME, METHOD, PATH, SID, FROM, TO, DIGITS, STATUS, LATENCY = range(9)
    HEADERS = ("Time", "Method", "Path", "CallSid", "From", "To", "Digits", "Status", "ms")
    TIPS = (
        "When the request came (local time)",
        "The HTTP method",
        "The route, without the /t/TOKEN prefix; → the flow a switch chose",
        "The call the request belongs to (full SID in the tooltip)",
        "The caller's number",
        "The called number",
        "The keys a Gather collected",
        "The HTTP status answered",
        "Time spent in the server, in milliseconds",
    )

    def __init__(self, parent=None, max_rows: int = MAX_ROWS) -> None:
        super().__init__(parent)
        self.max_rows = max_rows
        self._rows: list[tuple[RequestRecord, str | None]] = []

    def row_count(self) -> int:
        return len(self._rows)

    def add_records(self, records: Sequence[RequestRecord], base_url: str | None) -> None:
        """Append a batch: at most one removal (the oldest) and one insertion."""
        if not records:
            return
        records = records[-self.max_rows :]
        overflow = len(self._rows) + len(records) - self.max_rows
        if overflow > 0:
            self.beginRemoveRows(QModelIndex(), 0, overflow - 1)
            del self._rows[:overflow]
            self.endRemoveRows()
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(records) - 1)
        self._rows.extend((record, base_url) for record in records)
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows.clear()
        self.endResetModel()

    def record(self, row: int) -> RequestRecord:
        return self._rows[row][0]

    def base_url(self, row: int) -> str | None:
        return self._rows[row][1]

    def records(self) -> list[RequestRecord]:
        return [record for record, _base in self._rows]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        record = self._rows[index.row()][0]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(record, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.SID:
                return record.call_sid or "No CallSid in this request"
            if column == self.TIME:
                return (
                    datetime.fromtimestamp(record.time).astimezone().isoformat(" ", "milliseconds")
                )
            return self.text(record, column) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.STATUS, self.LATENCY):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and record.status >= 400:
            return QColor(_ERROR_COLOURS[self.dark])
        if role == RECORD_ROLE:
            return record
        return None

    def text(self, record: RequestRecord, column: int) -> str:
        """What the table shows for `record` in `column`."""
        if column == self.TIME:
            return clock(record.time)
        if column == self.METHOD:
            return record.method
        if column == self.PATH:
            chosen = record.chosen_flow
            return record.path if chosen is None else f"{record.path} → {chosen}"
        if column == self.SID:
            return (record.call_sid or "")[:SID_SHOWN]
        if column == self.STATUS:
            return str(record.status)
        if column == self.LATENCY:
            return f"{record.latency_ms:.1f}"
        name = {self.FROM: "From", self.TO: "To", self.DIGITS: "Digits"}[column]
        value = record.params.get(name)
        return "" if value is None else param_text(value)


class RequestFilter(QSortFilterProxyModel):
    """Rows whose call SID, path, numbers, digits, method or status contain the text (any
    case); numbers match whatever the punctuation (516-206 finds 15162065318), and call
    SIDs whatever the dashes (the call log's dashed call_sid finds the requests' 32 hex
    digits, and the other way round)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._needle = ""
        self._digits = ""
        self._sid = ""

    def set_text(self, text: str) -> None:
        needle = text.strip().casefold()
        digits = re.sub(r"\D", "", needle) if _NUMBER_LIKE.fullmatch(needle) else ""
        sid = needle.replace("-", "") if _SID_LIKE.fullmatch(needle) else ""
        if (needle, digits, sid) == (self._needle, self._digits, self._sid):
            return
        if hasattr(self, "beginFilterChange"):  # Qt 6.10+, where invalidateRowsFilter is deprecated
            self.beginFilterChange()
            self._needle, self._digits, self._sid = needle, digits, sid
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._needle, self._digits, self._sid = needle, digits, sid
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._needle:
            return True
        record = self.sourceModel().record(source_row)
        params = record.params
        numbers = [params.get(name) for name in ("From", "To", "Digits")]
        fields = [record.call_sid or "", record.path, record.method, str(record.status)]
        fields += [value for value in numbers if isinstance(value, str)]
        if any(self._needle in field.casefold() for field in fields):
            return True
        if self._sid and self._sid in (record.call_sid or "").casefold().replace("-", ""):
            return True
        if self._digits:
            return any(
                isinstance(value, str) and self._digits in re.sub(r"\D", "", value)
                for value in numbers
            )
        return False


class RequestInspector(QTabWidget):
    """The selected request: its parameters, the exact answer, and the last replay."""

    NO_REQUEST = "Select a request to see its parameters and answer."
    NO_REPLAY = (
        "Replay (Ctrl+R in the table) answers the selected request again from the current "
        "draft and shows what changed."
    )

    def __init__(self, parent=None, *, mask: Callable[[str], str] = str) -> None:
        super().__init__(parent)
        findable(self, "request-inspector", "Selected request")
        self.mask = mask  # hides the flow server's token in what is shown
        self.request_box = self._request_tab()
        self.answer_box = self._answer_tab()
        self.replay_box = self._replay_tab()
        self.addTab(self.request_box, "Request")
        self.addTab(self.answer_box, "Answer")
        self.addTab(self.replay_box, "Replay")
        self.setTabToolTip(0, "Every parameter of the selected request")
        self.setTabToolTip(1, "The exact answer that was sent")
        self.setTabToolTip(2, "The answer now, from the current draft, beside the logged one")

    def _request_tab(self) -> QWidget:
        box = QWidget(self)
        self.request_line = QLabel(self.NO_REQUEST, box)
        self.request_line.setWordWrap(True)
        self.request_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.request_line.setToolTip("The request: method, route, status, size and timing")
        self.params = QTableWidget(0, 2, box)
        findable(self.params, "request-parameters", "Parameters of the selected request")
        self.params.setHorizontalHeaderLabels(["Name", "Value"])
        self.params.verticalHeader().hide()
        self.params.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.params.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.params.setAlternatingRowColors(True)
        self.params.setWordWrap(False)
        self.params.setShowGrid(False)
        self.params.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.params.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.params.horizontalHeader().setStretchLastSection(True)
        self.params.setToolTip(
            "Every field of the request (query string, then the JSON or form body); values "
            "that are not strings are shown as JSON. The access token is never logged."
        )
        _column(box, self.request_line, self.params)
        return box

    def _answer_tab(self) -> QWidget:
        box = QWidget(self)
        self.answer_line = QLabel(self.NO_REQUEST, box)
        self.answer_line.setWordWrap(True)
        self.answer_line.setToolTip("The status and size of the answer")
        self.answer = XmlView(box)
        findable(self.answer, "request-answer", "Answer sent to the selected request")
        self.answer.setToolTip("Exactly the bytes the server answered (read-only)")
        _column(box, self.answer_line, self.answer)
        return box

    def _replay_tab(self) -> QWidget:
        box = QWidget(self)
        self.replay_summary = QLabel(self.NO_REPLAY, box)
        self.replay_summary.setObjectName("replay-summary")
        self.replay_summary.setWordWrap(True)
        self.replay_summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.replay_summary.setToolTip("How the answer now differs from the logged one")
        self.diff = DiffView(box)
        _column(box, self.replay_summary, self.diff)
        return box

    def show_replay(self, summary: str) -> None:
        """Bring the Replay tab forward, saying `summary` (the diff is the caller's)."""
        self.replay_summary.setText(summary)
        self.setCurrentWidget(self.replay_box)

    def clear_replay(self) -> None:
        self.replay_summary.setText(self.NO_REPLAY)
        self.diff.clear()

    def show_record(self, record: RequestRecord | None) -> None:
        if record is None:
            self.request_line.setText(self.NO_REQUEST)
            self.params.setRowCount(0)
            self.answer_line.setText(self.NO_REQUEST)
            self.answer.set_xml("")
            return
        self.request_line.setText(
            f"{record.method} {record.path} → {record.status} · {clock(record.time)} · "
            f"{record.latency_ms:.1f} ms"
        )
        params = list(record.params.items())
        self.params.setRowCount(len(params))
        for row, (name, value) in enumerate(params):
            name_item = QTableWidgetItem(name)
            value_item = QTableWidgetItem(param_text(value))
            value_item.setToolTip(json.dumps(value, ensure_ascii=False, indent=2))
            self.params.setItem(row, 0, name_item)
            self.params.setItem(row, 1, value_item)
        if record.method == "HEAD":
            what = "HEAD: only the headers were sent"
        elif not record.body:
            what = "an empty body"
        else:
            what = f"{len(record.body)} bytes"
        said = f"{record.status} · {what}"
        if record.decisions:
            said += " · " + "; ".join(decision_text(d) for d in record.decisions)
        self.answer_line.setText(said)
        self.answer.set_xml(self.mask(record.body.decode("utf-8", "replace")))


def decision_text(decision) -> str:
    """One switch's choice as the Requests panel says it: "switch route: Digits=1 → case
    '1' → sales" (or "→ otherwise →")."""
    value = "(none)" if decision.value is None else repr(decision.value)
    case = "otherwise" if decision.case is None else f"case {decision.label!r}"
    on = f"{decision.parameter}={value} → " if decision.parameter else ""
    return f"switch {decision.switch}: {on}{case} → {decision.goto}"


class RequestTableView(QTableView):
    """The log's table: one row per request, a row selected at a time, read-only. The path
    takes the width the other columns leave; they fit what they show (`fit`)."""

    PADDING = 16  # around a cell's text, in pixels
    FITTED = 200  # rows of a batch measured by `fit`: the newest, enough to see a new kind
    # A typical value of each column, to size it before any request comes.
    SAMPLES = (
        "00:00:00.000",
        "POST",
        "/flows/main-menu",
        "7d1e1f3a",
        "15162065319",
        "15162065318",
        "1234",
        "Status",
        "000.0",
    )

    def __init__(self, model: QSortFilterProxyModel, parent: QWidget) -> None:
        super().__init__(parent)
        findable(self, "requests-table", "Requests the flow server answered")
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(parent.fontMetrics().height() + 6)
        self.setToolTip(
            "Every request the flow server answered, newest last; Ctrl+R replays the selected one"
        )
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # Widths from the font and the rows of each batch (fit), not ResizeToContents: that
        # would measure up to 1,000 rows of a 5,000-row table on every batch.
        titles = header.fontMetrics()
        for column, sample in enumerate(self.SAMPLES):
            title = RequestTableModel.HEADERS[column]
            width = max(self._text_width(sample), titles.horizontalAdvance(title) + self.PADDING)
            self.setColumnWidth(column, width)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(RequestTableModel.PATH, QHeaderView.ResizeMode.Stretch)

    def _text_width(self, text: str) -> int:
        return self.fontMetrics().horizontalAdvance(text) + self.PADDING

    def fit(self, model: RequestTableModel, records: Sequence[RequestRecord]) -> None:
        """Widen the columns (never the path's, which stretches) that `records` would not fit
        in; a column the user made wider stays so."""
        newest = records[-self.FITTED :]
        for column in range(model.columnCount()):
            if column == model.PATH:
                continue
            widest = max(self._text_width(model.text(r, column)) for r in newest)
            if widest > self.columnWidth(column):
                self.setColumnWidth(column, widest)


def _column(box: QWidget, line: QLabel, body: QWidget) -> None:
    """A tab's layout: a line that sums it up, above what it shows."""
    layout = QVBoxLayout(box)
    layout.setContentsMargins(4, 4, 4, 4)
    layout.addWidget(line)
    layout.addWidget(body, 1)


class RequestLogPanel(QWidget):
    """The live request log: filter, table, inspector and replay (see the module docstring)."""

    def __init__(
        self,
        services: Services,
        project_getter: Callable[[], Project],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.project_getter = project_getter
        self._base_url: str | None = None  # the running (or last) server's base URL
        self.model = RequestTableModel(self)
        self.model.set_dark(is_dark(self.palette()))
        self.proxy = RequestFilter(self)
        self.proxy.setSourceModel(self.model)
        self._build()
        self._connect_signals()
        server = services.flow_server_running
        if server is not None:
            self._base_url = server.base_url
        self._update_actions()
        self._update_count()

    # -- building -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.filter_edit = QLineEdit(self)
        findable(self.filter_edit, "requests-filter", "Filter the requests")
        self.filter_edit.setPlaceholderText("Filter: call SID, path, number")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setToolTip(
            "Show only requests whose CallSid, path, From, To or Digits contain this text "
            "(numbers match whatever the punctuation; a call SID with or without its dashes)"
        )
        self.count_label = QLabel(self)
        self.count_label.setObjectName("requests-count")
        self.count_label.setToolTip("How many requests the table lists")
        self.clear_button = QPushButton("Clear", self)
        findable(self.clear_button, "requests-clear", "Clear the request log")
        self.clear_button.setToolTip("Empty the table (the server keeps running)")
        self.replay_button = QPushButton("Replay", self)
        findable(self.replay_button, "requests-replay", "Replay the selected request")
        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.count_label)
        top.addWidget(self.replay_button)
        top.addWidget(self.clear_button)

        self.view = RequestTableView(self.proxy, self)
        self.replay_action = QAction("Replay", self)
        self.replay_action.setShortcut(QKeySequence("Ctrl+R"))
        # Only while the table has focus: the window may use Ctrl+R elsewhere.
        self.replay_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        tip = "Answer the selected request again from the current draft and compare (Ctrl+R)"
        self.replay_action.setToolTip(tip)
        self.replay_action.setStatusTip(tip)
        self.replay_button.setToolTip(tip)
        self.view.addAction(self.replay_action)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

        self.inspector = RequestInspector(self, mask=self.services.mask)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.inspector)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

    def _connect_signals(self) -> None:
        self.filter_edit.textChanged.connect(self.on_filter_edit_text_changed)
        self.clear_button.clicked.connect(self.on_clear_button_clicked)
        self.replay_button.clicked.connect(self.on_replay_button_clicked)
        self.replay_action.triggered.connect(self.on_replay_button_clicked)
        self.view.selectionModel().selectionChanged.connect(self.on_selection_changed)
        self.services.server_records.connect(self.on_services_server_records)
        self.services.flow_server_started.connect(self.on_services_flow_server_started)

    # -- the log --------------------------------------------------------------------------------

    def add_records(self, records: Sequence[RequestRecord]) -> None:
        """Append a batch; the table follows the newest unless scrolled up."""
        bar = self.view.verticalScrollBar()
        at_end = bar.value() >= bar.maximum()
        self.model.add_records(records, self._base_url)
        if records:
            self.view.fit(self.model, records)
        if at_end:
            self.view.scrollToBottom()
        self._update_count()

    def clear(self) -> None:
        self.model.clear()
        self._update_count()
        self.on_selection_changed()

    def show_call(self, call_sid: str) -> None:
        """List only the requests of one call (its SID written either way)."""
        self.filter_edit.setText(call_sid)

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        noun = "request" if total == 1 else "requests"
        self.count_label.setText(f"{total} {noun}" if shown == total else f"{shown} of {total}")

    # -- selection ------------------------------------------------------------------------------

    def selected_record(self) -> RequestRecord | None:
        rows = self.view.selectionModel().selectedRows()
        return rows[0].data(RECORD_ROLE) if rows else None

    def _selected_base(self) -> str | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.base_url(self.proxy.mapToSource(rows[0]).row())

    def select_row(self, row: int) -> None:
        """Select the row shown at `row` (negative: from the end)."""
        if row < 0:
            row += self.proxy.rowCount()
        self.view.selectRow(row)

    def _update_actions(self) -> None:
        has = self.selected_record() is not None
        self.replay_action.setEnabled(has)
        self.replay_button.setEnabled(has)
        self.clear_button.setEnabled(self.model.rowCount() > 0)

    # -- replay ---------------------------------------------------------------------------------

    def replay(self) -> str | None:
        """Answer the selected request again from the current draft; show both answers as a
        diff. Returns the summary (None when no request is selected)."""
        record = self.selected_record()
        if record is None:
            return None
        try:
            return self._replay(record)
        except Exception:  # a bug: said as one, with its traceback in the log
            said = unexpected(_logger, "replaying %s %s", record.method, record.path)
            self.inspector.diff.clear()
            self.inspector.show_replay(said)
            return said

    def _replay(self, record: RequestRecord) -> str:
        from ...core.flexml import FlexmlError
        from ...core.server import Snapshot
        from ...core.server.replay import diff_lines, replay, summary

        try:
            # The draft exported against the base URL this request was answered with: a
            # restart (a new port, a new token) is no change of the flow.
            self.services.publish()  # the server serves the draft from now on, too
            server = self.services.flow_server_running
            snapshot = Snapshot.from_project(self.project_getter(), self._selected_base())
        except (FlexmlError, ValueError) as exc:  # an export problem: said, nothing compared
            text = f"The draft could not be exported, so nothing was replayed: {exc}"
            self.inspector.diff.clear()
            self.inspector.show_replay(text)
            return text
        # Its own parameters at its own time: a switch chooses as it did for the request.
        status, body = replay(snapshot, record)
        said = summary(record.status, record.body, status, body)
        where = "current draft" if server is not None else "draft (server stopped)"
        mask = self.services.mask
        self.inspector.diff.show_diff(
            [(kind, mask(old), mask(new)) for kind, old, new in diff_lines(record.body, body)],
            f"Logged at {clock(record.time)} · {record.status}",
            f"Now · {status}",
        )
        self.inspector.show_replay(
            f"{record.method} {record.path} replayed against the {where}: {said}"
        )
        return said

    # -- slots ----------------------------------------------------------------------------------

    def on_services_server_records(self, records: list) -> None:
        self.add_records(records)
        self._update_actions()

    def on_services_flow_server_started(self) -> None:
        server = self.services.flow_server_running
        if server is not None:
            self._base_url = server.base_url

    def on_filter_edit_text_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        self._update_count()
        self.view.scrollToBottom()

    def on_clear_button_clicked(self) -> None:
        self.clear()

    def on_replay_button_clicked(self) -> None:
        self.replay()

    def on_selection_changed(self, *_args) -> None:
        self.inspector.show_record(self.selected_record())
        self.inspector.clear_replay()  # a replay belongs to the request it was made for
        self._update_actions()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            self.model.set_dark(is_dark(self.palette()))
