"""Help > About: the app's versions (to copy into a bug report), links and licence."""

from __future__ import annotations

import platform
import sys
from importlib import metadata
from pathlib import Path

import PySide6
from lxml import etree
from PySide6.QtCore import QSize, Qt, QUrl, qVersion
from PySide6.QtGui import (
    QGuiApplication,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ... import __version__
from ..common.icons import app_icon

APP_NAME = "FlexML Studio"
DISTRIBUTION = "flexml-studio"
DOCS_URL = "https://www.carrierx.com/documentation/flexml-api-reference"
QUICK_START_URL = "https://www.carrierx.com/documentation/quick-start/flexml"


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
