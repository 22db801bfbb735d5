"""The FlexML reference rendered from the schema; F1 on a verb opens its page
(`show_element`)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, QUrl, Signal
from PySide6.QtGui import (
    QKeySequence,
    QResizeEvent,
    QStandardItem,
    QStandardItemModel,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QSplitter,
    QStyle,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.flexml.reference import TITLE, reference_html, reference_index
from ...core.flexml.schema import canonical_element
from ..common.icons import verb_icon
from ..common.verb_list import DESCRIPTION_ROLE, NAME_ROLE, SEARCH_ROLE, PaletteDelegate

LIST_WIDTH = 240  # px of the reference's element list beside the page
NARROW_WIDTH = 620  # px below which the list goes above the page


def link_target(url: QUrl) -> str | None:
    """The element a `#Tag` link in the reference points at, or None for other links."""
    if url.scheme() or url.host() or url.path():
        return None
    return canonical_element(url.fragment()) if url.hasFragment() else None


class ReferenceBrowser(QTextBrowser):
    """Shows reference pages; a `#Tag` link asks for that element's page, other links open
    in the desktop's browser."""

    element_link = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenExternalLinks(True)

    def doSetSource(
        self,
        name: QUrl,
        type_: QTextDocument.ResourceType = QTextDocument.ResourceType.UnknownResource,
    ) -> None:
        # Clicks on internal links and setSource() both come here. Each page holds one
        # element, so "#Say" is another page, not a place in this one.
        tag = link_target(name)
        if tag is not None:
            self.element_link.emit(tag)
            return
        super().doSetSource(name, type_)


class ReferenceView(QWidget):
    """Help > FlexML reference: a filterable list of the elements beside the page of the
    selected one, rendered from the schema."""

    element_shown = Signal(str)  # the element now shown; "" for the index

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._current: str | None = None
        self._history: list[str | None] = []
        self._filtering = False
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter elements")
        self.filter.setClearButtonEnabled(True)
        self.filter.setToolTip("Show the elements whose name or description contains this")
        self.model = QStandardItemModel(self)
        for tag, description in reference_index():
            item = QStandardItem(verb_icon(tag), tag)
            item.setEditable(False)
            item.setData(tag, NAME_ROLE)
            item.setData(description, DESCRIPTION_ROLE)
            item.setData(f"{tag}\n{description}", SEARCH_ROLE)
            item.setToolTip(description)
            self.model.appendRow(item)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterRole(SEARCH_ROLE)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.list = QListView()
        self.list.setModel(self.proxy)
        self.list.setItemDelegate(PaletteDelegate(self.list))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setUniformItemSizes(True)
        self.browser = ReferenceBrowser()
        self.back_button = self._tool_button(
            "Back", QStyle.StandardPixmap.SP_ArrowBack, QKeySequence.StandardKey.Back
        )
        self.index_button = self._tool_button(
            "All elements", QStyle.StandardPixmap.SP_FileDialogListView
        )
        self.back_button.setEnabled(False)

        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(self.filter)
        column.addWidget(self.list)
        right = QWidget()
        page = QVBoxLayout(right)
        page.setContentsMargins(0, 0, 0, 0)
        page.setSpacing(4)
        bar = QHBoxLayout()
        bar.addWidget(self.back_button)
        bar.addWidget(self.index_button)
        bar.addStretch(1)
        page.addLayout(bar)
        page.addWidget(self.browser)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([LIST_WIDTH, 520])
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.setFocusProxy(self.filter)
        self._connect_signals()
        self._show(None, remember=False)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # Side by side when there is room; in a narrow dock the list goes above the page.
        wanted = (
            Qt.Orientation.Vertical if self.width() < NARROW_WIDTH else Qt.Orientation.Horizontal
        )
        if self.splitter.orientation() != wanted:
            self.splitter.setOrientation(wanted)
            if wanted is Qt.Orientation.Vertical:
                self.splitter.setSizes([max(120, self.height() // 3), self.height()])
            else:
                self.splitter.setSizes([LIST_WIDTH, self.width() - LIST_WIDTH])

    def _tool_button(self, text: str, icon, shortcut=None) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setIcon(self.style().standardIcon(icon))
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setAutoRaise(True)
        tip = text
        if shortcut is not None:
            button.setShortcut(QKeySequence(shortcut))
            tip += f" ({button.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
        button.setToolTip(tip)
        return button

    def _connect_signals(self) -> None:
        self.filter.textChanged.connect(self.set_filter)
        self.filter.returnPressed.connect(self.on_filter_return_pressed)
        self.list.selectionModel().currentChanged.connect(self.on_list_current_changed)
        self.browser.element_link.connect(self.show_element)
        self.back_button.clicked.connect(self.back)
        self.index_button.clicked.connect(lambda: self.show_element(None))

    # -- what is shown --------------------------------------------------------------------

    @property
    def current_element(self) -> str | None:
        """The element whose page is shown; None while the index is."""
        return self._current

    def show_element(self, tag: str | None) -> bool:
        """Show the page of element `tag` (any letter case), or the index for None.
        An unknown tag (a comment, a foreign element) shows the index; returns False then."""
        name = canonical_element(tag) if tag else None
        self._show(name)
        return name is not None or not tag

    def back(self) -> None:
        """Return to the page shown before the last link or pick."""
        if self._history:
            self._show(self._history.pop(), remember=False)

    def _show(self, tag: str | None, remember: bool = True) -> None:
        if remember and tag != self._current:
            self._history.append(self._current)
        self._current = tag
        self.back_button.setEnabled(bool(self._history))
        self.browser.setHtml(reference_html(tag))
        self._select(tag)
        self.element_shown.emit(tag or "")

    def _select(self, tag: str | None) -> None:
        selection = self.list.selectionModel()
        if tag is None:
            selection.clear()
            return
        index = self._proxy_index(tag)
        if not index.isValid():  # hidden by the filter: show everything again
            self.filter.clear()
            index = self._proxy_index(tag)
        if index != self.list.currentIndex():
            self.list.setCurrentIndex(index)
        self.list.scrollTo(index)

    def _proxy_index(self, tag: str):
        matches = self.proxy.match(
            self.proxy.index(0, 0), NAME_ROLE, tag, 1, Qt.MatchFlag.MatchExactly
        )
        return matches[0] if matches else QModelIndex()

    # -- the list -------------------------------------------------------------------------

    def element_names(self) -> list[str]:
        """The elements the list shows, top to bottom."""
        return [self.proxy.index(row, 0).data(NAME_ROLE) for row in range(self.proxy.rowCount())]

    def set_filter(self, text: str) -> None:
        """List only the elements whose name or description contains `text`."""
        # Filtering moves the list's current row; that must not change the page.
        self._filtering = True
        try:
            self.proxy.setFilterFixedString(text.strip())
        finally:
            self._filtering = False
        # The shown element stays the current row while listed; else no row is current,
        # rather than whichever row the filter moved onto.
        index = self._proxy_index(self._current) if self._current else QModelIndex()
        self._filtering = True
        try:
            self.list.setCurrentIndex(index)
            if not index.isValid():
                self.list.selectionModel().clear()
        finally:
            self._filtering = False

    def on_filter_return_pressed(self) -> None:
        """Enter in the filter shows the first element listed."""
        if self.proxy.rowCount():
            self.show_element(self.proxy.index(0, 0).data(NAME_ROLE))

    def on_list_current_changed(self, current, _previous) -> None:
        tag = current.data(NAME_ROLE) if current.isValid() else None
        if tag is not None and tag != self._current and not self._filtering:
            self._show(tag)


class ReferenceDialog(QDialog):
    """The FlexML reference in a window of its own, left open beside the main window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setModal(False)
        self.view = ReferenceView(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(buttons)
        self.resize(900, 640)

    def show_element(self, tag: str | None) -> bool:
        """Show `tag`'s page (see ReferenceView.show_element)."""
        return self.view.show_element(tag)
