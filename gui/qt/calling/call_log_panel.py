"""The call log panel: every call attempt, filtered and searched by the core's query, with the
selected call's details and the requests the flow server received for it.

A call's row follows it to its end: Placed, then Completed, Busy, No answer, Failed or
Cancelled with its duration, once its status callback (or the sandbox) said so, or No status
when nothing came within its time limit (gui.core.call_status writes that to the log).

Redial and cancel are the host's business: the panel emits redial_requested(CallEntry) and
cancel_requested(CallEntry). Copy, delete (with confirmation) and the filters are its own.
The rows follow the log's own announcements (a CallList), whoever changes it: nobody pushes
rows into the panel.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QGuiApplication,
    QKeySequence,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTableView,
    QTextBrowser,
    QToolBar,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.call_status import duration_text
from ...core.calllist import CallList, RowsChange, RowsChangeKind
from ...core.calllog import CallEntry, CallLog, CallLogError
from ..common.icons import severity_icon
from ..common.names import findable
from ..common.table_model import RowsTableModel
from ..common.theme import is_dark
from ..common.views import ActivatesRows

if TYPE_CHECKING:  # not at run time: gui.core.server loads aiohttp, which the window's
    from ...core.server.records import RequestRecord  # start need not wait for

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
SHOWN_AT_MOST = 10_000  # rows; older calls stay in the file and are found by searching
SID_SHOWN = 8  # characters of a call SID in the table; the tooltip has all of it
_FILTER_ROW_WIDTH = 420  # pixels the filter and search need beside the actions
_DETAILS_SIDE_BY_SIDE = 760  # narrower than this, the requests go below the details

Index = QModelIndex | QPersistentModelIndex
RequestProvider = Callable[[str], "list[RequestRecord]"]

# Each outcome in words, in the order the filter lists them.
OUTCOME_WORDS = {
    "placed": "Placed",
    "scheduled": "Scheduled",
    "completed": "Completed",
    "busy": "Busy",
    "no-answer": "No answer",
    "failed": "Failed",
    "cancelled": "Cancelled",
    "unknown": "No status",
}
# Foreground of the rows of ended calls: (on a light background, on a dark one). Placed and
# scheduled calls keep the table's own colour.
_COLOURS = {
    "completed": ("#1A7F37", "#3FB950"),
    "busy": ("#9A6700", "#D29922"),
    "no-answer": ("#9A6700", "#D29922"),
    "failed": ("#B42318", "#FF7B72"),
    "cancelled": ("#6E7781", "#8B949E"),
    "unknown": ("#BC4C00", "#F0883E"),
}
_ICONS = {"failed": "error", "unknown": "warning"}  # severity_icon names of the Outcome column
_WARNING_STYLE = (
    "#callLogWarning { background: rgba(227, 179, 65, 0.22);"
    " border: 1px solid rgba(154, 91, 0, 0.55); border-radius: 4px; }"
)


def local_time(entry: CallEntry) -> str:
    """The entry's time in local time, "2025-03-01 15:00:07" (its raw text if unreadable)."""
    try:
        return entry.when.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return entry.time


def outcome_text(outcome: str) -> str:
    """An outcome in words: "no-answer" -> "No answer", "unknown" -> "No status"."""
    return OUTCOME_WORDS.get(outcome, outcome.capitalize())


def count_text(shown: int) -> str:
    """ "3 calls", "1 call", "No calls"; a full page says that older ones are not listed."""
    if shown == 0:
        return "No calls"
    if shown >= SHOWN_AT_MOST:
        return f"Newest {shown} calls (search to find older ones)"
    return "1 call" if shown == 1 else f"{shown} calls"


class CallTableModel(RowsTableModel):
    """A CallList's entries as table rows, in its order (the log's: newest first). An adapter:
    it keeps no rows of its own and turns the list's announcements into beginInsertRows and
    endInsertRows, beginRemoveRows and endRemoveRows, resets and dataChanged."""

    TIME, PROFILE, FROM, TO, URL, METHOD, SID, OUTCOME, DURATION = range(9)
    HEADERS = (
        "Time",
        "Profile",
        "From",
        "To",
        "Flow/URL",
        "Method",
        "Call SID",
        "Outcome",
        "Duration",
    )

    def __init__(self, calls: CallList, parent=None) -> None:
        super().__init__(parent)
        self.calls = calls
        calls.about_to_change.connect(self._on_calls_about_to_change)
        calls.changed.connect(self._on_calls_changed)

    def row_count(self) -> int:
        return len(self.calls)

    def entries(self) -> list[CallEntry]:
        return self.calls.entries()

    def entry(self, row: int) -> CallEntry:
        return self.calls[row]

    def row_of(self, entry_id: int) -> int | None:
        return self.calls.row_of(entry_id)

    def _on_calls_about_to_change(self, change: RowsChange) -> None:
        if change.kind is RowsChangeKind.RESET:
            self.beginResetModel()
        elif change.kind is RowsChangeKind.INSERT:
            self.beginInsertRows(QModelIndex(), change.first, change.last)
        elif change.kind is RowsChangeKind.REMOVE:
            self.beginRemoveRows(QModelIndex(), change.first, change.last)

    def _on_calls_changed(self, change: RowsChange) -> None:
        if change.kind is RowsChangeKind.RESET:
            self.endResetModel()
        elif change.kind is RowsChangeKind.INSERT:
            self.endInsertRows()
        elif change.kind is RowsChangeKind.REMOVE:
            self.endRemoveRows()
        else:
            last_column = len(self.HEADERS) - 1
            self.dataChanged.emit(self.index(change.first, 0), self.index(change.last, last_column))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.calls):
            return None
        entry = self.calls[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(entry, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(entry, column)
        if role == Qt.ItemDataRole.DecorationRole and column == self.OUTCOME:
            icon = _ICONS.get(entry.outcome)
            return severity_icon(icon) if icon else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.DURATION:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and entry.outcome in _COLOURS:
            light, dark = _COLOURS[entry.outcome]
            return QColor(dark if self.dark else light)
        if role == SORT_ROLE:
            return self._sort_key(entry, column)
        if role == ENTRY_ROLE:
            return entry
        return None

    def _display(self, entry: CallEntry, column: int) -> str:
        if column == self.TIME:
            return local_time(entry)
        if column == self.PROFILE:
            return entry.profile
        if column == self.FROM:
            return entry.from_number
        if column == self.TO:
            return entry.to_number
        if column == self.URL:
            return entry.url
        if column == self.METHOD:
            return entry.method
        if column == self.SID:
            return (entry.call_sid or "")[:SID_SHOWN]
        if column == self.DURATION:
            return duration_text(entry.duration)
        return outcome_text(entry.outcome)

    def _tooltip(self, entry: CallEntry, column: int) -> str:
        if column == self.TIME:
            return f"{local_time(entry)} local time ({entry.time} UTC)"
        if column == self.SID:
            return entry.call_sid or "No call SID: CarrierX did not create this call"
        if column == self.OUTCOME:
            return outcome_tooltip(entry)
        if column == self.DURATION:
            if entry.duration is None:
                return "How long the call lasted, once its status callback says so"
            return f"The call lasted {entry.duration} s (CallDuration)"
        return self._display(entry, column)

    def _sort_key(self, entry: CallEntry, column: int) -> str:
        if column == self.TIME:
            return f"{entry.time}#{entry.id:012d}"  # ISO text sorts in time order
        if column == self.DURATION:  # by length; calls of unknown length first
            return "" if entry.duration is None else f"{entry.duration:012d}"
        return self._display(entry, column).casefold()


class CallTableView(ActivatesRows, QTableView):
    """The calls table; Enter (or a double-click) activates the current row, a click only
    selects it (it must never redial)."""


class CallDetails(QSplitter):
    """Every field of one entry, beside the requests the flow server received for its call."""

    NO_ENTRY = "Select a call to see its details."
    NO_SID = (
        "This attempt has no call SID (CarrierX did not create a call), "
        "so no request belongs to it."
    )
    NO_PROVIDER = "The flow server's requests are not available here."
    NO_REQUESTS = "The flow server has received no request for this call yet."
    REQUEST_HEADERS = ("Time", "Method", "Path", "Status", "Digits")

    def __init__(self, parent=None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.fields = findable(QTextBrowser(self), "calllog-details", "Details of the call")
        self.fields.setOpenLinks(False)
        self.fields.setToolTip("Every detail of the selected call; select text to copy it")
        self.fields.setPlaceholderText(self.NO_ENTRY)

        box = QWidget(self)
        self.requests_title = QLabel("Requests the flow server received for this call", box)
        self.requests = findable(
            QTreeWidget(box), "calllog-requests", "Requests the flow server received for the call"
        )
        self.requests.setHeaderLabels(list(self.REQUEST_HEADERS))
        self.requests.setRootIsDecorated(False)
        self.requests.setUniformRowHeights(True)
        self.requests.setAlternatingRowColors(True)
        self.requests.setToolTip("What the flow server answered for this call, oldest first")
        header = self.requests.header()
        header.setStretchLastSection(False)
        for column in range(len(self.REQUEST_HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.requests_empty = QLabel(self.NO_ENTRY, box)
        self.requests_empty.setWordWrap(True)
        self.requests_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.requests_empty.setEnabled(False)  # the greyed look of an empty state
        self.requests_stack = QStackedWidget(box)
        self.requests_stack.addWidget(self.requests_empty)
        self.requests_stack.addWidget(self.requests)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.requests_title)
        layout.addWidget(self.requests_stack, 1)
        self.addWidget(self.fields)
        self.addWidget(box)
        self.setStretchFactor(0, 1)
        self.setStretchFactor(1, 1)
        self.setChildrenCollapsible(False)

    def show_entry(self, entry: CallEntry | None, selected: int = 0) -> None:
        """Show one entry's fields; `selected` > 1 says several rows are selected."""
        if entry is None:
            self.fields.clear()
            self.fields.setPlaceholderText(
                f"{selected} calls selected." if selected > 1 else self.NO_ENTRY
            )
            return
        self.fields.setHtml(_fields_html(entry))

    def show_requests(self, records: list[RequestRecord] | None, empty_text: str) -> None:
        """List these records, or show `empty_text` when there are none (or None)."""
        self.requests.clear()
        if not records:
            self.requests_empty.setText(empty_text)
            self.requests_stack.setCurrentWidget(self.requests_empty)
            return
        # All rows in one call: one model update, not one per record.
        self.requests.addTopLevelItems([_request_item(record) for record in records])
        self.requests_stack.setCurrentWidget(self.requests)


class CallLogPanel(QWidget):
    """The call log: a filter, a search, the calls table and the selected call's details."""

    redial_requested = Signal(object)  # CallEntry
    cancel_requested = Signal(object)  # CallEntry

    FILTERS = (("All", None), *((words, outcome) for outcome, words in OUTCOME_WORDS.items()))

    def __init__(self, log: CallLog | None = None, parent=None) -> None:
        super().__init__(parent)
        self._provider: RequestProvider | None = None
        self.calls = CallList(limit=SHOWN_AT_MOST)
        self.model = CallTableModel(self.calls, self)
        self.model.set_dark(is_dark(self.palette()))
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setSourceModel(self.model)
        self._build()
        self._connect_signals()
        self._update_actions()
        if log is not None:
            self.set_log(log)

    # -- building -----------------------------------------------------------------------------

    def _build(self) -> None:
        # Made in the order Tab moves through them (Qt's default tab order is creation order).
        self._build_warning()
        self.toolbar = QToolBar(self)
        self.toolbar.setIconSize(self.toolbar.iconSize() * 0.75)
        self.view = findable(CallTableView(self), "calllog-table", "Calls")
        self._build_actions()
        self._build_filters()
        self._build_table()
        self.details = CallDetails(self)
        self._build_layout()

    def _build_warning(self) -> None:
        """The bar at the top that says why the log had to start afresh, or could not be read."""
        self.warning = QFrame(self)
        self.warning.setObjectName("callLogWarning")
        self.warning.setStyleSheet(_WARNING_STYLE)
        warning_icon = QLabel(self.warning)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        warning_icon.setPixmap(severity_icon("warning").pixmap(size, size))
        self.warning_text = QLabel(self.warning)
        self.warning_text.setWordWrap(True)
        self.warning_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warning_close = findable(
            QToolButton(self.warning), "calllog-warning-close", "Hide this message"
        )
        self.warning_close.setText("✕")
        self.warning_close.setAutoRaise(True)
        self.warning_close.setToolTip("Hide this message")
        row = QHBoxLayout(self.warning)
        row.setContentsMargins(6, 4, 4, 4)
        row.addWidget(warning_icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.warning_text, 1)
        row.addWidget(self.warning_close, 0, Qt.AlignmentFlag.AlignTop)
        self.warning.hide()

    def _build_actions(self) -> None:
        """Copy, redial, cancel and delete: on the toolbar and on the table's context menu."""
        self.copy_action = self._action(
            "calllog-copy",
            "Copy number",
            "Copy the To number of the selected calls",
            self.copy_number,
            QKeySequence.StandardKey.Copy,
        )
        # Enter is the table's own key (CallTableView), like a double-click.
        self.redial_action = self._action(
            "calllog-redial",
            "Redial",
            "Call the same number with the same flow again (Enter)",
            self.redial,
        )
        self.cancel_action = self._action(
            "calllog-cancel",
            "Cancel scheduled call",
            "Cancel this scheduled call before CarrierX places it",
            self.cancel_scheduled,
        )
        self.delete_action = self._action(
            "calllog-delete",
            "Delete",
            "Delete the selected entries from the call log",
            self.delete_selected,
            QKeySequence.StandardKey.Delete,
        )
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def _build_filters(self) -> None:
        """The outcome filter, the search and how many calls are listed."""
        self.filter = findable(QComboBox(self), "calllog-filter", "Show calls")
        for text, outcome in self.FILTERS:
            self.filter.addItem(text, outcome)
        self.filter.setToolTip("Show every call attempt, or only those with one outcome")
        self.search = findable(QLineEdit(self), "calllog-search", "Search calls")
        self.search.setPlaceholderText("Search numbers, SIDs, URLs")
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip(
            "Find calls by number (any punctuation: 516-206 finds +15162065318), profile, "
            "flow URL, call SID or error"
        )
        self.search.setMinimumWidth(160)
        self.summary = findable(QLabel(count_text(0), self), "calllog-count", "Calls listed")
        self.summary.setToolTip("How many calls the table lists")

    def _build_table(self) -> None:
        """The calls table: whole rows selected, sorted newest first, nothing edited."""
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(CallTableModel.TIME, Qt.SortOrder.DescendingOrder)
        self.view.setToolTip("Every call attempt, newest first; Enter redials, Del deletes")
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        for column in range(len(CallTableModel.HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(CallTableModel.URL, QHeaderView.ResizeMode.Stretch)

    def _build_layout(self) -> None:
        """The warning, the actions and filters, then the table above the details."""
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)

        self._actions_row = QHBoxLayout()
        self._actions_row.addWidget(self.toolbar)
        self._actions_row.addStretch(1)
        self._actions_row.addWidget(self.summary)
        self._filter_row = QHBoxLayout()
        self._filter_row.addWidget(QLabel("Show:", self))
        self._filter_row.addWidget(self.filter)
        self._filter_row.addWidget(self.search, 1)
        # Side by side when there is room (a dock along the bottom), else one above the other.
        # Their box ignores its minimum width, which side by side would forbid narrowing the
        # panel far enough for resizeEvent to stack them.
        top_box = QWidget(self)
        top_box.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._top = QBoxLayout(QBoxLayout.Direction.LeftToRight, top_box)
        self._top.setContentsMargins(0, 0, 0, 0)
        self._top.addLayout(self._actions_row, 1)
        self._top.addLayout(self._filter_row, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.warning)
        layout.addWidget(top_box)
        layout.addWidget(self.splitter, 1)

    def _action(self, name: str, text: str, tip: str, slot, shortcut=None) -> QAction:
        """An action on the toolbar, whose button is called `name`, and on the context menu."""
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
            # Only while the table has focus: in the search field Ctrl+C and Del edit text.
            act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            tip = f"{tip} ({act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
        act.setToolTip(tip)
        act.setStatusTip(tip)
        # The slots take no positional argument, so `checked` is not passed to them (it would
        # land in the first parameter: a False `confirm` would skip the question).
        act.triggered.connect(slot)
        self.toolbar.addAction(act)
        findable(self.toolbar.widgetForAction(act), name, text)
        self.view.addAction(act)
        return act

    def _connect_signals(self) -> None:
        self.warning_close.clicked.connect(self.warning.hide)
        self.filter.currentIndexChanged.connect(self.on_filter_current_index_changed)
        self.search.textChanged.connect(self.on_search_text_changed)
        self.view.row_activated.connect(self.on_view_row_activated)
        self.view.selectionModel().selectionChanged.connect(self.on_selection_changed)
        # Whoever changed the log, the count, the details and the actions follow the rows.
        # (Resets and removals may change the selection without selectionChanged.) The
        # model's signals, not the proxy's: the proxy removes its rows while the model's are
        # still there, and has followed each change by the time the model reports it.
        for signal in (self.model.modelReset, self.model.rowsInserted, self.model.rowsRemoved):
            signal.connect(self._after_change)
        self.model.dataChanged.connect(self._after_change)

    # -- the log ------------------------------------------------------------------------------

    @property
    def log(self) -> CallLog | None:
        """The log shown (None: none)."""
        return self.calls.log

    def set_log(self, log: CallLog | None) -> None:
        """Show this log and follow its changes (the host keeps owning it: the panel never
        closes it). A log that had to start afresh says why at the top of the panel."""
        self.calls.set_log(log)
        self.warning.hide()
        if log is not None and log.recovered:
            self.show_warning(log.recovered)
        self.refresh()

    def refresh(self) -> None:
        """Query the log again with the current filter and search; the selection stays."""
        selected = {entry.id for entry in self.selected_entries()}
        current = self.current_entry()
        try:
            self.calls.set_query(outcome=self.filter.currentData(), search=self.search.text())
        except CallLogError as exc:
            self.show_warning(str(exc))
            return
        self._select_ids(selected, current.id if current else None)

    def show_warning(self, text: str) -> None:
        """Show a message at the top of the panel until the user hides it."""
        self.warning_text.setText(text)
        self.warning.show()

    def _after_change(self, *_args) -> None:
        self.summary.setText(count_text(self.model.rowCount()))
        self.on_selection_changed()

    # -- selection and details ------------------------------------------------------------------

    def selected_entries(self) -> list[CallEntry]:
        """The selected entries, in the order the table shows them."""
        rows = sorted(index.row() for index in self.view.selectionModel().selectedRows())
        return [self.proxy.index(row, 0).data(ENTRY_ROLE) for row in rows]

    def current_entry(self) -> CallEntry | None:
        """The one selected entry (None when none or several are selected)."""
        selected = self.selected_entries()
        return selected[0] if len(selected) == 1 else None

    def select_entry(self, entry_id: int) -> bool:
        """Select the row of this entry alone; False when it is not listed."""
        return self._select_ids({entry_id}, entry_id)

    def _select_ids(self, ids: set[int], current_id: int | None) -> bool:
        selection = QItemSelection()
        current = QModelIndex()
        for row in range(self.proxy.rowCount()):
            entry = self.proxy.index(row, 0).data(ENTRY_ROLE)
            if entry.id in ids:
                last = self.proxy.index(row, self.proxy.columnCount() - 1)
                selection.select(self.proxy.index(row, 0), last)
            if entry.id == current_id:
                current = self.proxy.index(row, 0)
        selection_model = self.view.selectionModel()
        flags = QItemSelectionModel.SelectionFlag
        if current.isValid():
            selection_model.setCurrentIndex(current, flags.NoUpdate)
        selection_model.select(selection, flags.ClearAndSelect | flags.Rows)
        return not selection.isEmpty()

    def on_selection_changed(self, *_args) -> None:
        selected = self.selected_entries()
        entry = selected[0] if len(selected) == 1 else None
        self.details.show_entry(entry, len(selected))
        self.show_requests_for(entry.call_sid if entry else None, entry is not None)
        self._update_actions()

    def _update_actions(self) -> None:
        selected = self.selected_entries()
        one = selected[0] if len(selected) == 1 else None
        self.copy_action.setEnabled(bool(selected))
        self.redial_action.setEnabled(one is not None)
        self.cancel_action.setEnabled(one is not None and one.outcome == "scheduled")
        self.delete_action.setEnabled(bool(selected) and self.log is not None)

    # -- the flow server's requests -----------------------------------------------------------

    def set_request_provider(self, provider: RequestProvider | None) -> None:
        """Where the requests of a call come from: called with a call SID, returns the
        flow server's records for it. None: no flow server."""
        self._provider = provider
        self.requests_changed()

    def requests_changed(self) -> None:
        """The flow server received requests: show the selected call's again."""
        entry = self.current_entry()
        self.show_requests_for(entry.call_sid if entry else None, entry is not None)

    def show_requests_for(self, call_sid: str | None, has_entry: bool = True) -> None:
        """List the requests the flow server received for this call SID."""
        if not has_entry:
            self.details.show_requests(None, CallDetails.NO_ENTRY)
        elif not call_sid:
            self.details.show_requests(None, CallDetails.NO_SID)
        elif self._provider is None:
            self.details.show_requests(None, CallDetails.NO_PROVIDER)
        else:
            self.details.show_requests(self._provider(call_sid), CallDetails.NO_REQUESTS)

    # -- actions ------------------------------------------------------------------------------

    def copy_number(self) -> str | None:
        """Copy the To number of the selected calls (one a line); returns the text copied."""
        numbers = [entry.to_number for entry in self.selected_entries()]
        if not numbers:
            return None
        text = "\n".join(numbers)
        # setText, not setMimeData: a QMimeData made in Python crashed at exit (PySide6 6.12).
        QGuiApplication.clipboard().setText(text)
        return text

    def redial(self) -> None:
        entry = self.current_entry()
        if entry is not None:
            self.redial_requested.emit(entry)

    def cancel_scheduled(self) -> None:
        entry = self.current_entry()
        if entry is not None and entry.outcome == "scheduled":
            self.cancel_requested.emit(entry)

    def delete_selected(self, *, confirm: bool = True) -> int:
        """Delete the selected entries from the log, after asking; returns how many."""
        entries = self.selected_entries()
        if not entries or self.log is None:
            return 0
        if confirm:
            what = "this call" if len(entries) == 1 else f"these {len(entries)} calls"
            answer = QMessageBox.question(
                self,
                "Delete from the call log",
                f"Delete {what} from the call log? This cannot be undone.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return 0
        first_row = min(index.row() for index in self.view.selectionModel().selectedRows())
        ids = [entry.id for entry in entries]
        try:
            deleted = self.log.delete(ids)  # the log announces it, and the rows go
        except CallLogError as exc:
            self.show_warning(str(exc))
            return 0
        # Keep a row selected where the deleted ones were, so Del can go on.
        row = min(first_row, self.proxy.rowCount() - 1)
        if row >= 0:
            self.select_entry(self.proxy.index(row, 0).data(ENTRY_ROLE).id)
        return deleted

    # -- slots --------------------------------------------------------------------------------

    def on_filter_current_index_changed(self, _index: int) -> None:
        self.refresh()

    def on_search_text_changed(self, _text: str) -> None:
        self.refresh()

    def on_view_row_activated(self, index: QModelIndex) -> None:
        entry = index.data(ENTRY_ROLE)
        if entry is not None:
            self.select_entry(entry.id)
            self.redial_requested.emit(entry)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        width = event.size().width()
        wide = width >= self._actions_row.sizeHint().width() + _FILTER_ROW_WIDTH
        self._top.setDirection(
            QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        )
        self._top.setSpacing(16 if wide else 2)
        self.details.setOrientation(
            Qt.Orientation.Horizontal if width >= _DETAILS_SIDE_BY_SIDE else Qt.Orientation.Vertical
        )

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.model.set_dark(is_dark(self.palette()))


def outcome_tooltip(entry: CallEntry) -> str:
    """What an entry's outcome means, in a sentence."""
    outcome = entry.outcome
    if outcome in ("failed", "unknown"):
        return entry.error or ("The call failed" if outcome == "failed" else "No status came")
    if outcome == "scheduled":
        return "Scheduled: CarrierX places it later; you can still cancel it"
    if outcome == "placed":
        return "Placed: CarrierX accepted the call; waiting for its status callback"
    if outcome == "cancelled" and entry.final_status is None:
        return "Cancelled before it was placed"
    sentence = {
        "completed": "Completed: the call was answered and ended",
        "busy": "Busy: the called number was busy",
        "no-answer": "No answer: nobody answered within the ring timeout",
        "cancelled": "Cancelled: the call ended before it was answered",
    }.get(outcome, outcome_text(outcome))
    return f"{sentence} ({status_source(entry)})"


def status_source(entry: CallEntry) -> str:
    """Where the final status came from: "status callback: CallStatus completed"."""
    final = entry.final_status or {}
    return f"{final.get('source', 'status')}: CallStatus {final.get('call_status', '?')}"


def _fields_html(entry: CallEntry) -> str:
    final = entry.final_status
    rows = [
        ("Time", f"{local_time(entry)} (local time)"),
        ("UTC", entry.time),
        ("Outcome", outcome_text(entry.outcome)),
        ("Status", status_source(entry) if final else None),
        ("Duration", duration_text(entry.duration)),
        ("Error", entry.error),
        ("Profile", entry.profile),
        ("From", entry.from_number),
        ("To", entry.to_number),
        ("Flow/URL", entry.url),
        ("Method", entry.method),
        ("Call SID", entry.call_sid or "none (CarrierX did not create a call)"),
    ]
    cells = "".join(
        f"<tr><td style='padding-right:10px'><b>{html.escape(name)}</b></td>"
        f"<td>{html.escape(value)}</td></tr>"
        for name, value in rows
        if value
    )
    details = json.dumps(entry.details, indent=2, ensure_ascii=False, sort_keys=True)
    return (
        f"<table cellspacing='0' cellpadding='1'>{cells}</table>"
        f"<p style='margin-bottom:0'><b>Details</b></p><pre>{html.escape(details)}</pre>"
    )


def _request_item(record: RequestRecord) -> QTreeWidgetItem:
    digits = record.params.get("Digits")
    when = datetime.fromtimestamp(record.time).strftime("%H:%M:%S.%f")[:-3]
    item = QTreeWidgetItem(
        [
            when,
            record.method,
            record.path,
            str(record.status),
            "" if digits is None else str(digits),
        ]
    )
    params = json.dumps(record.params, indent=2, ensure_ascii=False, sort_keys=True)
    item.setToolTip(2, f"{record.method} {record.path}\n{params}")
    if record.status >= 400:
        item.setForeground(3, QColor("#B42318"))
    return item
