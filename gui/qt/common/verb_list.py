"""A list of FlexML elements drawn as icon, bold name and muted description: the palette's
entries and the reference's index share it."""

from __future__ import annotations

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QIcon,
    QPainter,
    QPalette,
)
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

NAME_ROLE = Qt.ItemDataRole.UserRole + 1  # element name; None on group headers
DESCRIPTION_ROLE = Qt.ItemDataRole.UserRole + 2
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 3  # what the filter matches: name and description
Index = QModelIndex | QPersistentModelIndex


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
