"""The verb palette: every FlexML element, to drag into a flow or insert with Enter.

Entries come from the schema table (name, one-line description, where they may go), grouped
as verbs, then nouns. Dragging an entry carries its element name as VERB_MIME_TYPE.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QIcon,
    QKeyEvent,
    QPainter,
    QPalette,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ..core.flexml.schema import NOUNS, PARENTS, SCHEMA, VERBS
from .icons import verb_icon

VERB_MIME_TYPE = "application/x-flexml-studio-verb"
NAME_ROLE = Qt.ItemDataRole.UserRole + 1  # element name; None on group headers
DESCRIPTION_ROLE = Qt.ItemDataRole.UserRole + 2
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 3  # what the filter matches: name and description

Index = QModelIndex | QPersistentModelIndex


def nouns_title() -> str:
    """The nouns' group title, naming the verbs they go inside: "... inside Dial or Play"."""
    parents = sorted({parent for noun in NOUNS for parent in PARENTS.get(noun, ())})
    return f"Nouns (drop inside {' or '.join(parents)})"


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


class PaletteDelegate(QStyledItemDelegate):
    """Entries: icon, the name in bold, the description below it in a muted colour."""

    ICON = 24
    PAD = 6

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        if index.data(NAME_ROLE) is None:
            return QSize(0, QFontMetrics(option.font).height() + 2 * self.PAD)
        text = QFontMetrics(_bold(option.font)).height()
        text += QFontMetrics(self._small_font(option.font)).height()
        return QSize(0, max(self.ICON, text) + 2 * self.PAD)

    @staticmethod
    def _small_font(font: QFont) -> QFont:
        small = QFont(font)
        if font.pointSizeF() > 0:
            small.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
        return small

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget else QApplication.style()
        # The style draws the background and hover; the selection is a tint with an accent
        # bar instead of the solid highlight, on which the coloured icons would fade.
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        opt.state &= ~QStyle.StateFlag.State_Selected
        opt.text = ""
        opt.icon = QIcon()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        if selected:
            _paint_selection(painter, opt)
        rect = opt.rect.adjusted(self.PAD, self.PAD, -self.PAD, -self.PAD)
        painter.save()
        if index.data(NAME_ROLE) is None:
            self._paint_header(painter, rect, opt, index.data(Qt.ItemDataRole.DisplayRole))
        else:
            self._paint_entry(painter, rect, opt, index)
        painter.restore()

    def _paint_header(self, painter: QPainter, rect: QRect, opt, title: str) -> None:
        font = _bold(opt.font)
        painter.setFont(font)
        painter.setPen(_muted(opt))
        text = QFontMetrics(font).elidedText(title, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)

    def _paint_entry(self, painter, rect: QRect, opt, index: Index) -> None:
        top = rect.top() + (rect.height() - self.ICON) // 2
        icon_rect = QRect(rect.left(), top, self.ICON, self.ICON)
        enabled = bool(opt.state & QStyle.StateFlag.State_Enabled)
        mode = QIcon.Mode.Normal if enabled else QIcon.Mode.Disabled
        index.data(Qt.ItemDataRole.DecorationRole).paint(painter, icon_rect, mode=mode)
        text = rect.adjusted(self.ICON + self.PAD + 2, 0, 0, 0)

        bold = _bold(opt.font)
        small = self._small_font(opt.font)
        name_height = QFontMetrics(bold).height()
        small_metrics = QFontMetrics(small)
        top = text.top() + (text.height() - name_height - small_metrics.height()) // 2

        painter.setFont(bold)
        painter.setPen(opt.palette.color(_group(opt), QPalette.ColorRole.Text))
        painter.drawText(
            QRect(text.left(), top, text.width(), name_height),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            index.data(NAME_ROLE),
        )
        painter.setFont(small)
        painter.setPen(_muted(opt))
        description = small_metrics.elidedText(
            index.data(DESCRIPTION_ROLE), Qt.TextElideMode.ElideRight, text.width()
        )
        painter.drawText(
            QRect(text.left(), top + name_height, text.width(), small_metrics.height()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            description,
        )


def _bold(font: QFont) -> QFont:
    bold = QFont(font)
    bold.setBold(True)
    return bold


def _group(opt: QStyleOptionViewItem) -> QPalette.ColorGroup:
    if not opt.state & QStyle.StateFlag.State_Enabled:
        return QPalette.ColorGroup.Disabled
    return QPalette.ColorGroup.Active


def _muted(opt: QStyleOptionViewItem) -> QColor:
    """A secondary text colour: 62% of the way from the background to the text, which
    stays readable on light and dark themes."""
    fg = opt.palette.color(_group(opt), QPalette.ColorRole.Text)
    bg = opt.palette.color(_group(opt), QPalette.ColorRole.Base)
    mix = 0.62
    return QColor.fromRgbF(
        bg.redF() + (fg.redF() - bg.redF()) * mix,
        bg.greenF() + (fg.greenF() - bg.greenF()) * mix,
        bg.blueF() + (fg.blueF() - bg.blueF()) * mix,
    )


def _paint_selection(painter: QPainter, opt: QStyleOptionViewItem) -> None:
    accent = QColor(opt.palette.color(QPalette.ColorRole.Highlight))
    tint = QColor(accent)
    tint.setAlpha(70 if opt.state & QStyle.StateFlag.State_HasFocus else 45)
    painter.fillRect(opt.rect, tint)
    painter.fillRect(QRect(opt.rect.left(), opt.rect.top(), 3, opt.rect.height()), accent)


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
