"""The verb palette: every FlexML element, to drag into a flow or insert with Enter.

Entries come from the schema table (name, one-line description, where they may go), grouped
as verbs, then nouns. Dragging an entry carries its element name as VERB_MIME_TYPE.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QMimeData,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QKeyEvent,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ...core.flexml.schema import NOUNS, PARENTS, SCHEMA, VERBS
from ..common.icons import verb_icon
from ..common.names import findable
from ..common.verb_list import DESCRIPTION_ROLE, NAME_ROLE, SEARCH_ROLE, Index, PaletteDelegate

VERB_MIME_TYPE = "application/x-flexml-studio-verb"


def nouns_title() -> str:
    """The nouns' group title, naming what they go inside: "... inside Connect, ... or Stream"."""
    parents = sorted({parent for noun in NOUNS for parent in PARENTS.get(noun, ())})
    listed = f"{', '.join(parents[:-1])} or {parents[-1]}" if len(parents) > 1 else parents[0]
    return f"Nouns (drop inside {listed})"


def tooltip(name: str) -> str:
    """Rich-text tooltip of an entry: its description and where it may be placed."""
    spec = SCHEMA[name]
    where = ", ".join(spec.parents) or "nothing"
    return f"<b>{name}</b>: {spec.description}<br/>Goes inside: {where}"


class PaletteModel(QStandardItemModel):
    """Two groups (verbs, nouns) of element entries; entries drag out as VERB_MIME_TYPE."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        for title, names in (("Verbs", VERBS), (nouns_title(), NOUNS)):
            group = QStandardItem(title)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            group.setData("", SEARCH_ROLE)
            group.appendRows([self._entry(name) for name in names])
            self.appendRow(group)

    @staticmethod
    def _entry(name: str) -> QStandardItem:
        description = SCHEMA[name].description
        item = QStandardItem(verb_icon(name), name)
        item.setFlags(
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsDragEnabled
            | Qt.ItemFlag.ItemNeverHasChildren
        )
        item.setData(name, NAME_ROLE)
        item.setData(description, DESCRIPTION_ROLE)
        item.setData(f"{name}\n{description}", SEARCH_ROLE)
        item.setToolTip(tooltip(name))
        item.setAccessibleDescription(description)
        return item

    def mimeTypes(self) -> list[str]:
        return [VERB_MIME_TYPE]

    def mimeData(self, indexes) -> QMimeData | None:
        names = [index.data(NAME_ROLE) for index in indexes if index.data(NAME_ROLE)]
        if not names:
            return None
        mime = QMimeData()
        mime.setData(VERB_MIME_TYPE, names[0].encode("utf-8"))
        return mime

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.IgnoreAction


class PaletteView(QTreeView):
    """The grouped element list; double-click or Enter on an entry emits verb_activated."""

    verb_activated = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.source = PaletteModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.source)
        self.proxy.setFilterRole(SEARCH_ROLE)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.setModel(self.proxy)
        self.setItemDelegate(PaletteDelegate(self))
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(0)
        self.setItemsExpandable(False)
        self.setExpandsOnDoubleClick(False)
        self.setUniformRowHeights(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.expandAll()
        self.doubleClicked.connect(self._activate)

    def set_filter(self, text: str) -> None:
        """Show only the entries whose name or description contains `text`."""
        self.proxy.setFilterFixedString(text.strip())
        self.expandAll()
        current = self.currentIndex()
        if not current.isValid() or current.data(NAME_ROLE) is None:
            first = self.first_entry()
            if first.isValid():
                self.setCurrentIndex(first)

    def first_entry(self) -> QModelIndex:
        """The first visible entry (not a group header), or an invalid index."""
        for row in range(self.proxy.rowCount()):
            group = self.proxy.index(row, 0)
            if self.proxy.rowCount(group):
                return self.proxy.index(0, 0, group)
        return QModelIndex()

    def entry_names(self) -> list[str]:
        """The element names currently shown, top to bottom."""
        names = []
        for row in range(self.proxy.rowCount()):
            group = self.proxy.index(row, 0)
            rows = range(self.proxy.rowCount(group))
            names += [self.proxy.index(r, 0, group).data(NAME_ROLE) for r in rows]
        return names

    def index_of(self, name: str) -> QModelIndex:
        """The shown entry of element `name`, or an invalid index."""
        matches = self.proxy.match(
            self.proxy.index(0, 0),
            NAME_ROLE,
            name,
            1,
            Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive,
        )
        return matches[0] if matches else QModelIndex()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter is handled here rather than through `activated`, which some styles also
        # emit on a single click: a click must only select (and start drags), never insert.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._activate(
            self.currentIndex()
        ):
            event.accept()
            return
        super().keyPressEvent(event)

    def _activate(self, index: Index) -> bool:
        name = index.data(NAME_ROLE) if index.isValid() else None
        if name is None:
            return False
        self.verb_activated.emit(name)
        return True


class PalettePanel(QWidget):
    """The palette with its filter line above it."""

    verb_activated = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter verbs")
        self.filter.setClearButtonEnabled(True)
        self.view = PaletteView(self)
        findable(self.filter, "palette-filter", "Filter verbs")
        findable(self.view, "palette-list", "FlexML verbs and nouns")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.filter)
        layout.addWidget(self.view)
        self.setFocusProxy(self.filter)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.filter.textChanged.connect(self.view.set_filter)
        self.filter.returnPressed.connect(self.on_filter_return_pressed)
        self.view.verb_activated.connect(self.verb_activated)
        self.filter.installEventFilter(self)

    def on_filter_return_pressed(self) -> None:
        """Enter in the filter inserts the current (or first) shown entry."""
        index = self.view.currentIndex()
        if not index.isValid() or index.data(NAME_ROLE) is None:
            index = self.view.first_entry()
        self.view._activate(index)

    def eventFilter(self, watched, event) -> bool:
        # Down in the filter moves into the list, as in a combo box's popup.
        if (
            watched is self.filter
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Down
        ):
            self.view.setFocus()
            if not self.view.currentIndex().isValid():
                self.view.setCurrentIndex(self.view.first_entry())
            return True
        return super().eventFilter(watched, event)
