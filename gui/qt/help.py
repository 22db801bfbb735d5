"""The Help menu's windows: About, the Getting started panel, and the FlexML reference.

The host window connects the Getting started panel's signals to its own actions (the panel
only asks), and opens the reference at an element with `show_element` (F1 on a verb).
"""

from __future__ import annotations

import platform
import sys
from importlib import metadata
from pathlib import Path

import PySide6
from lxml import etree
from PySide6.QtCore import QModelIndex, QSize, QSortFilterProxyModel, Qt, QUrl, Signal, qVersion
from PySide6.QtGui import (
    QFont,
    QGuiApplication,
    QKeySequence,
    QResizeEvent,
    QStandardItem,
    QStandardItemModel,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QStyle,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..core.flexml.reference import TITLE, reference_html, reference_index
from ..core.flexml.schema import canonical_element
from .icons import app_icon, verb_icon
from .palette import DESCRIPTION_ROLE, NAME_ROLE, SEARCH_ROLE, PaletteDelegate
from .settings import SettingsStore

APP_NAME = "FlexML Studio"
DISTRIBUTION = "flexml-studio"
DOCS_URL = "https://www.carrierx.com/documentation/flexml-api-reference"
QUICK_START_URL = "https://www.carrierx.com/documentation/quick-start/flexml"
SHOW_AT_START = "help/show-getting-started"
LIST_WIDTH = 240  # px of the reference's element list beside the page
NARROW_WIDTH = 620  # px below which the list goes above the page

# -- About ---------------------------------------------------------------------------------


def _distribution_field(name: str) -> str | None:
    """A field of the installed package's metadata (from pyproject), or None."""
    try:
        # .get, not [name]: a missing field is a DeprecationWarning from Python 3.12 on.
        return metadata.metadata(DISTRIBUTION).get(name)
    except metadata.PackageNotFoundError:
        return None


def summary() -> str:
    """The one-line description of the app, as pyproject declares it."""
    declared = _distribution_field("Summary")
    if declared:
        return declared
    # Not installed (run from a checkout): the package's docstring says the same.
    words = (sys.modules["gui"].__doc__ or "").split(": ", 1)[-1]
    return words[:1].upper() + words[1:]


def license_name() -> str:
    """The licence pyproject declares (MIT)."""
    return _distribution_field("License-Expression") or _distribution_field("License") or "MIT"


def readme_path() -> Path | None:
    """The README beside the package in a source checkout; None in an installed wheel."""
    path = Path(sys.modules["gui"].__file__ or "").resolve().parent.parent / "README.md"
    return path if path.is_file() else None


def version_details() -> str:
    """The versions a bug report needs, one per line."""
    libxml = ".".join(map(str, etree.LIBXML_VERSION))
    return "\n".join(
        (
            f"{APP_NAME} {__version__}",
            f"Python {platform.python_version()} ({platform.python_implementation()})",
            f"Qt {qVersion()}",
            f"PySide6 {PySide6.__version__}",
            f"lxml {etree.__version__} (libxml2 {libxml})",
            f"OS {platform.platform()}",
        )
    )


def _link(url: str, text: str) -> str:
    return f'<a href="{url}">{text}</a>'


class AboutDialog(QDialog):
    """Help > About: the version, what the app is, the versions under it, links, licence."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About {APP_NAME}")
        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(QSize(64, 64)))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.title = QLabel(f"{APP_NAME} {__version__}")
        self.title.setObjectName("about-title")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.title.setFont(font)
        description = QLabel(summary())
        description.setWordWrap(True)
        self.details = QLabel(version_details())
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        links = [
            _link(DOCS_URL, "CarrierX FlexML API reference"),
            _link(QUICK_START_URL, "CarrierX FlexML quick start"),
        ]
        readme = readme_path()
        if readme is not None:
            links.append(_link(QUrl.fromLocalFile(str(readme)).toString(), "README"))
        self.links = QLabel("<br/>".join(links))
        self.links.setTextFormat(Qt.TextFormat.RichText)
        self.links.setOpenExternalLinks(True)  # QDesktopServices opens them
        self.links.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        licence = QLabel(f"Released under the {license_name()} licence.")

        self.copy_button = QPushButton("Copy details")
        self.copy_button.setToolTip("Copy the versions above, for a bug report")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self.copy_details)

        text = QVBoxLayout()
        text.setSpacing(8)
        for widget in (self.title, description, self.details, self.links, licence):
            text.addWidget(widget)
        top = QHBoxLayout()
        top.setSpacing(16)
        top.addWidget(icon)
        top.addLayout(text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        # setText, not setMimeData: a QMimeData handed to the clipboard made this PySide
        # crash at exit.
        QGuiApplication.clipboard().setText(version_details())
        self.copy_button.setText("Copied")


# -- Getting started -----------------------------------------------------------------------


def should_show_at_start(settings: SettingsStore) -> bool:
    """Whether to open the Getting started panel: yes until its "Don't show" box is ticked."""
    return bool(settings.get(SHOW_AT_START))


def _keys(sequence: str) -> str:
    """A shortcut as this platform writes it (Ctrl+Shift+D, or ⇧⌘D on a Mac)."""
    return QKeySequence(sequence).toString(QKeySequence.SequenceFormat.NativeText)


class GettingStartedPanel(QWidget):
    """Five steps from the sample project to a real call; each button asks the host to act."""

    simulate_requested = Signal()
    dial_pad_requested = Signal()
    requests_requested = Signal()
    endpoint_requested = Signal()
    server_requested = Signal()

    def __init__(self, settings: SettingsStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.buttons: dict[str, QPushButton] = {}
        heading = QLabel("Getting started")
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        heading.setFont(font)
        intro = _wrapped(
            "Everything below works without a CarrierX account: calls run through the "
            "built-in Sandbox, a local CarrierX on this computer."
        )
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        for number, (title, text, buttons) in enumerate(self._steps(), start=1):
            layout.addWidget(self._step(number, title, text, buttons))
        self.dont_show = QCheckBox("Don't show this at start")
        self.dont_show.setToolTip("Help > Getting started opens it again")
        self.dont_show.setChecked(not should_show_at_start(settings))
        self.dont_show.toggled.connect(self.on_dont_show_toggled)
        layout.addWidget(self.dont_show)
        layout.addStretch(1)

    def _steps(self) -> list[tuple[str, str, list[tuple[str, str, Signal, str]]]]:
        """(title, text, [(key, button text, signal, tooltip)]) of each step."""
        return [
            (
                "Edit the sample",
                "The sample project is open: Hello World, a menu and a call forward. Select "
                "a verb in the flow, change it in the Inspector, and see the FlexML change.",
                [],
            ),
            (
                "Simulate it",
                f"Press {_keys('F5')} to run the flow in the Simulator, with no network. "
                "When the menu asks, press a key (1 or 2).",
                [("simulate", "Simulate", self.simulate_requested, "Run the flow (F5)")],
            ),
            (
                "Call it from the dial pad",
                f"Open the Dial pad ({_keys('Ctrl+Shift+D')}), type any number and press "
                "Enter: the call runs through the Sandbox, and the pad's keys send tones.",
                [("dial-pad", "Dial pad", self.dial_pad_requested, "Show the dial pad")],
            ),
            (
                "Watch the requests",
                f"The Requests log ({_keys('Ctrl+Shift+R')}) lists every request the call "
                "made, with the FlexML answered; the Call log "
                f"({_keys('Ctrl+Shift+L')}) keeps every call.",
                [("requests", "Requests", self.requests_requested, "Show the Requests log")],
            ),
            (
                "Go live",
                "For real calls, add your CarrierX FlexML endpoint in the Endpoint panel "
                f"({_keys('Ctrl+Alt+E')}), and give the flow server a public URL "
                f"({_keys('Ctrl+Alt+S')}) so that CarrierX can reach it.",
                [
                    ("endpoint", "Endpoint", self.endpoint_requested, "Show the Endpoint panel"),
                    ("server", "Flow server", self.server_requested, "Show the Flow server"),
                ],
            ),
        ]

    def _step(self, number: int, title: str, text: str, buttons) -> QWidget:
        step = QFrame()
        step.setObjectName(f"step-{number}")
        grid = QGridLayout(step)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        badge = QLabel(str(number))
        badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        badge.setFixedSize(24, 24)
        badge.setStyleSheet(
            "background: palette(highlight); color: palette(highlighted-text);"
            "border-radius: 12px; font-weight: bold;"
        )
        name = QLabel(title)
        bold = QFont(name.font())
        bold.setBold(True)
        name.setFont(bold)
        grid.addWidget(badge, 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(name, 0, 1)
        grid.addWidget(_wrapped(text), 1, 1)
        if buttons:
            row = QHBoxLayout()
            row.setSpacing(6)
            for key, label, signal, tip in buttons:
                button = QPushButton(label)
                button.setObjectName(key)
                button.setToolTip(tip)
                button.clicked.connect(lambda _checked=False, s=signal: s.emit())
                self.buttons[key] = button
                row.addWidget(button)
            row.addStretch(1)
            grid.addLayout(row, 2, 1)
        grid.setColumnStretch(1, 1)
        return step

    def on_dont_show_toggled(self, checked: bool) -> None:
        self.settings.set(SHOW_AT_START, not checked)


def _wrapped(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


# -- the FlexML reference ------------------------------------------------------------------


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
