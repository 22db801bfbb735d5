"""What the window's list-of-rows tables share: fixed columns, header tips, a dark mode."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex


class RowsTableModel(QAbstractTableModel):
    """A flat table over a Python list: subclasses set HEADERS (and TIPS, the header
    tooltips), keep their rows, say how many in `row_count()`, and answer `data()`."""

    HEADERS: tuple[str, ...] = ()
    TIPS: tuple[str, ...] = ()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.dark = False  # rows coloured for a dark background

    def row_count(self) -> int:
        raise NotImplementedError

    def set_dark(self, dark: bool) -> None:
        """Use the row colours for a dark (or light) background."""
        if dark != self.dark:
            self.dark = dark
            rows = self.row_count()
            if rows:
                last = self.index(rows - 1, len(self.HEADERS) - 1)
                self.dataChanged.emit(self.index(0, 0), last, [Qt.ItemDataRole.ForegroundRole])

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.row_count()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole and section < len(self.TIPS):
            return self.TIPS[section]
        return None
