"""The inspector: a form for the selected verb, generated from the schema table.

Each row comes from an AttrSpec (or the element's TextSpec): the type picks the input widget,
the default is the grey "not set" state, and lint's own value check judges what is typed, so a
value lint would reject is never written. Valid keystrokes are written as they are typed and
`Editing` merges them into one undo command per field. Emptying a field removes the attribute.
A keystroke that makes the value invalid takes back what that typing wrote (and its undo
command), so the attribute keeps the value it had before the user began: typing 500 where 50
is the most writes 5 and 50 on the way, then puts the old value back, never leaving 50 in
the file. Leaving a field with a refused value says "not applied: WHY" beside it: a text
field keeps the text (to be fixed, or saved by itself once valid: flow:NAME of a flow made
later), a spin box, which can only show a number in its range, shows the attribute's value.
Text past TextSpec.max_length (Say's 1024) is an exception: it is written, so nothing typed or
pasted is lost, and its counter turns red while lint reports it. Nothing on the node is hidden:
attributes the schema does not know are listed read-only, with a button to remove them.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFontDatabase, QPalette, QResizeEvent, QUndoCommand
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.flexml import COMMENT, Change, ChangeKind, Document, Node
from ...core.flexml.lint import value_problem
from ...core.flexml.schema import SCHEMA, AttrSpec, ElementSpec, Type
from ...core.flexml.tree import check_comment_text, check_xml_text
from .editing import Editing
from .inspector_fields import (
    ERROR_COLOR,
    FRAME_STYLE,
    METHOD_CHOICES,
    NARROWEST_FIELD,
    NOT_APPLIED,
    NOT_SAVED,
    PLACEHOLDER,
    RESET_TIP,
    TEXT_LABELS,
    CheckEditor,
    ComboEditor,
    FieldEditor,
    LineEditor,
    SpinEditor,
    TextEditor,
    attribute_tip,
    placeholder_for,
    plain_label,
    tooltip_html,
)


class _Row:
    """One value of a node in the form: the attribute `name`, or the text content (None)."""

    def __init__(
        self,
        panel: InspectorPanel,
        name: str | None,
        type_: Type,
        attr: AttrSpec | None,
        tip: str,
        placeholder: str,
        limit: int | None = None,
    ) -> None:
        self.panel, self.document, self.node = panel, panel.document, panel.node
        self.name, self.type, self.attr, self.tip, self.limit = name, type_, attr, tip, limit
        self.label: QLabel | None = None
        self.reset: QToolButton | None = None
        # Said after the field was left with a value that was refused, till the next input.
        self.not_applied: str | None = None
        # The undo command this field's typing is merging into, and the value before it.
        self.typing: tuple[QUndoCommand, str | None] | None = None
        self.editor = self._make_editor(placeholder)
        self.editor.widget.setObjectName(name or "text")
        self.editor.widget.setAccessibleName(name or "Text")
        self.frame = QFrame()
        self.frame.setObjectName("field-frame")
        self.frame.setStyleSheet(FRAME_STYLE.format("transparent"))
        framed = QHBoxLayout(self.frame)
        framed.setContentsMargins(0, 0, 0, 0)
        framed.addWidget(self.editor.widget)
        self.message = plain_label()
        self.message.setObjectName(f"message-{name or 'text'}")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {ERROR_COLOR}")
        self.message.hide()
        self.counter = plain_label() if limit is not None else None
        if self.counter is not None:
            self.counter.setObjectName("text-counter")
            self.counter.setAlignment(Qt.AlignmentFlag.AlignRight)

    def _make_editor(self, placeholder: str) -> FieldEditor:
        type_, attr = self.type, self.attr
        if self.name is None and type_ is Type.STRING:
            return TextEditor(self.on_input, placeholder)
        if type_ is Type.URL:
            editor = ComboEditor(self.on_input, placeholder, editable=True)
            editor.set_items(self.panel.url_items())
            return editor
        if attr is None:
            return LineEditor(self.on_input, placeholder)
        if type_ is Type.INT:
            return SpinEditor(self.on_input, self.refresh, attr)
        if type_ is Type.BOOL:
            return CheckEditor(self.on_input, attr.default)
        if type_ in (Type.ENUM, Type.VOICE, Type.METHOD):
            editor = ComboEditor(self.on_input, placeholder, editable=type_ is Type.VOICE)
            choices = attr.choices or (METHOD_CHOICES if type_ is Type.METHOD else ())
            default = attr.default
            editor.set_items([(f"{c} (default)" if c == default else c, c) for c in choices])
            return editor
        return LineEditor(self.on_input, placeholder)

    def field(self, extra: QWidget | None = None) -> QWidget:
        """The editor, `extra` beside it, the counter and the message, for the form."""
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        line = QHBoxLayout()
        line.addWidget(self.frame, 1)
        if extra is not None:
            line.addWidget(extra)
        column.addLayout(line)
        if self.counter is not None:
            column.addWidget(self.counter)
        column.addWidget(self.message)
        return box

    def value(self) -> str | None:
        return self.node.text if self.name is None else self.node.attrs.get(self.name)

    def problem(self, text: str) -> str | None:
        """Why `text` cannot be written, in lint's words; None when it can."""
        try:
            check_xml_text(text, "the text" if self.name is None else "the value")
            if self.node.tag == COMMENT:
                check_comment_text(text)
        except ValueError as exc:
            return str(exc)
        found = value_problem(self.type, text, self.attr, self.panel.flow_names)
        return found[1] if found else None

    def on_input(self, text: str, discrete: bool) -> None:
        """The user typed, clicked or picked `text`: write it when it is valid."""
        self.not_applied = None  # at it again: what was not applied is behind
        self._apply(text, discrete)

    def _apply(self, text: str, discrete: bool) -> None:
        problem = self.problem(text) if text else None
        if problem is not None:
            self._refuse(text, problem)
            return
        # An emptied field removes the attribute (or the text): the default applies again.
        before, stack = self.value(), self.panel.editing.stack
        top = stack.command(stack.index() - 1)
        refused = self.panel.write(self.document, self.node, self.name, text or None, discrete)
        if refused is not None:  # the core has a rule the checks above do not know
            self._refuse(text, refused)
            return
        self.not_applied = None
        written = stack.command(stack.index() - 1)
        if written is not top:  # this keystroke began a command: typing merges into it
            self.typing = (written, before)
        self.refresh()

    def _refuse(self, text: str, problem: str) -> None:
        """Keep `text` shown and say why it is not saved; what typing wrote before this
        keystroke is taken back (see the module docstring)."""
        self.panel.take_back(self)
        if self.not_applied is not None:  # judged again after the field was left
            self.not_applied = f"{NOT_APPLIED}: {problem}"
            self._show_state(text, self.not_applied)
        else:
            self._show_state(text, f"{problem} — {NOT_SAVED}")

    def left(self) -> None:
        """The field lost the focus: a refused value in it is said to be not applied."""
        shown = self.editor.current()
        if shown == (self.value() or ""):
            return
        problem = self.problem(shown) if shown else None
        if problem is not None:
            self.not_applied = f"{NOT_APPLIED}: {problem}"
            self._show_state(shown, self.not_applied)

    def refresh(self, keep_text: bool = False) -> None:
        """Show the node's value (undo, redo and other views change it too); with
        `keep_text`, leave what the field shows (a refused value) and update the rest."""
        value = self.value()
        if not keep_text:
            self.editor.show(value)
        if self.reset is not None:
            self.reset.setEnabled(value is not None)
        if self.label is not None:
            font = self.label.font()
            font.setBold(value is not None)  # set in the XML
            self.label.setFont(font)
        self._judge()

    def recheck(self) -> None:
        """Judge the field again (the project's flows changed): a typed value that was
        refused, e.g. flow:NAME before that flow existed, is saved once it is valid."""
        shown = self.editor.current()
        if shown != (self.value() or ""):
            self._apply(shown, False)
        else:
            self._judge()

    def _judge(self) -> None:
        shown = self.editor.current()
        problem = self.problem(shown) if shown else None
        invalid = problem is not None
        if self.not_applied is not None:
            if shown != (self.value() or ""):  # the refused value is still shown
                problem = self.not_applied
            else:  # the attribute's value is shown again (a spin box)
                problem = "\n".join(p for p in (self.not_applied, problem) if p)
        self._show_state(shown, problem, invalid)

    def _show_state(self, text: str, problem: str | None, invalid: bool | None = None) -> None:
        """Show `problem` beside the field (None: none); the frame is red while the value
        shown is `invalid` (by default: while there is a problem)."""
        widget = self.editor.widget
        self.message.setText(problem or "")
        self.message.setVisible(problem is not None)
        widget.setToolTip(tooltip_html(self.tip + (f"\n\n{problem}" if problem else "")))
        red = problem is not None if invalid is None else invalid
        frame = FRAME_STYLE.format(ERROR_COLOR if red else "transparent")
        if self.frame.styleSheet() != frame:
            self.frame.setStyleSheet(frame)
        if self.counter is not None and self.limit is not None:
            over = len(text) - self.limit
            note = f" · {over} over the limit" if over > 0 else ""
            self.counter.setText(f"{len(text)} / {self.limit}{note}")
            self.counter.setStyleSheet(f"color: {ERROR_COLOR}" if over > 0 else "")


# -- the panel -----------------------------------------------------------------------------


class InspectorPanel(QWidget):
    """The selected verb's text and attributes as a form generated from the schema table."""

    def __init__(self, editing: Editing, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editing = editing
        self.document: Document | None = None
        self.node: Node | None = None
        self.flow_names: list[str] | None = None  # None: flow: references are not checked
        self._rows: dict[str | None, _Row] = {}
        self._chain: list[QWidget] = []  # the form's focusable widgets, in Tab order
        self._writing = False  # our own edit is running: its changes are no news
        self._changed_elsewhere = False  # since our last edit: the next one starts a command
        self._refusal: str | None = None  # why the core refused our edit, while it runs
        self._holding: _Row | None = None  # a row whose refused text stays while we write
        self._form: QWidget | None = None
        self._path: QLabel | None = None
        self._extras: QWidget | None = None
        self._form_layout: QFormLayout | None = None
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        page = QWidget()
        self._page = QVBoxLayout(page)
        self._page.addStretch(1)
        self._scroll.setWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._scroll)
        self._show(self._placeholder_widget())
        editing.refused.connect(self.on_editing_refused)

    # -- the API ---------------------------------------------------------------------------

    def set_target(self, document: Document | None, node: Node | None) -> None:
        """Show the form of `node` in `document`, or the placeholder for None."""
        if document is None or node is None:
            document = node = None
        if document is self.document and node is self.node:
            return
        self.editing.break_merge()
        if self.document is not None and document is not self.document:
            self.document.changed.disconnect(self._on_document_changed)
        if document is not None and document is not self.document:
            document.changed.connect(self._on_document_changed)
        self.document, self.node = document, node
        self._show(self._build_form() if node is not None else self._placeholder_widget())
        self._update_path()

    def set_flow_names(self, names: list[str]) -> None:
        """The project's flows, offered as flow:NAME in URL fields and checked there."""
        names = list(names)
        if names == self.flow_names:
            return
        self.flow_names = names
        for row in self._rows.values():
            if row.type is Type.URL:
                assert isinstance(row.editor, ComboEditor)
                row.editor.set_items(self.url_items())
                row.recheck()

    def field(self, name: str | None) -> QWidget | None:
        """The editor of attribute `name` (None: the text) in the form shown, e.g. to focus."""
        row = self._rows.get(name)
        return row.editor.widget if row is not None else None

    # -- used by the rows ------------------------------------------------------------------

    def url_items(self) -> list[tuple[str, str]]:
        return [(f"flow:{name}", f"flow:{name}") for name in self.flow_names or ()]

    def write(
        self, document: Document, node: Node, name: str | None, value: str | None, discrete: bool
    ) -> str | None:
        """Change the text (name None) or an attribute; typing merges, a click stands alone.
        Returns why the core refused the change, or None."""
        if discrete or self._changed_elsewhere:
            self.editing.break_merge()
        self._changed_elsewhere = False
        self._refusal = None
        self._writing = True
        try:
            if name is None:
                self.editing.set_text(document, node, value)
            else:
                self.editing.set_attribute(document, node, name, value)
        finally:
            self._writing = False
        if discrete:
            self.editing.break_merge()
        return self._refusal

    def on_editing_refused(self, message: str) -> None:
        if self._writing:
            self._refusal = message

    def take_back(self, row: _Row) -> None:
        """Put back the value `row`'s attribute had before the typing now refused began,
        and drop that typing's undo command, which then changes nothing (no Undo entry for
        it; a saved project stays saved). Nothing is done when other edits came since."""
        if row.typing is None:
            return
        command, before = row.typing
        row.typing = None
        stack = self.editing.stack
        if stack.command(stack.index() - 1) is not command:
            return  # undone, or other edits came since (it may be deleted: look no further)
        if getattr(command, "merge_key", None) is None:
            return  # typing into the field ended (it was left): that value stands
        if self._changed_elsewhere or row.document is not self.document:
            return
        if row.value() != before:
            self._holding = row  # the refused text stays shown while the old value returns
            try:
                refused = self.write(row.document, row.node, row.name, before, False)
            finally:
                self._holding = None
            if refused is not None or row.value() != before:
                return
        if stack.command(stack.index() - 1) is command:  # merged: it undoes nothing now
            command.setObsolete(True)
            stack.undo()  # an obsolete command is dropped, not undone

    # -- building the form -----------------------------------------------------------------

    def _show(self, form: QWidget) -> None:
        old = self._form
        if old is not None:
            old.hide()
            self._page.removeWidget(old)
            old.deleteLater()  # not now: the call may come from a widget inside it
        self._form = form
        self._page.insertWidget(0, form)

    def _placeholder_widget(self) -> QWidget:
        self._rows, self._chain, self._path, self._extras = {}, [], None, None
        self._form_layout = None
        label = plain_label(PLACEHOLDER)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        label.setContentsMargins(0, 24, 0, 0)
        return label

    def _build_form(self) -> QWidget:
        node = self.node
        assert node is not None
        spec = SCHEMA.get(node.tag)
        self._rows, self._chain = {}, []
        form = QWidget()
        layout = self._form_layout = QFormLayout(form)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addRow(self._header(node, spec))
        if node.tag == COMMENT:
            self._add_text_row(layout, Type.STRING, "The comment's text", None)
        elif spec is not None:
            rule = spec.text
            if rule.allowed:
                self._add_text_row(layout, rule.type, rule.description, rule.max_length, rule.note)
            for attr in spec.attributes:
                self._add_attribute_row(layout, attr)
            if not spec.attributes and not rule.allowed:
                note = plain_label(f"<{spec.name}> takes no attributes and no text.")
                note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
                layout.addRow(note)
        self._extras = QWidget()
        layout.addRow(self._extras)
        self._fill_extras()
        self._fit_rows()
        return form

    def _header(self, node: Node, spec: ElementSpec | None) -> QWidget:
        if node.tag == COMMENT:
            title, about = "Comment", "An XML comment: kept in the file, ignored by CarrierX"
        elif spec is None:
            title = f"<{node.tag}>"
            about = "Not a FlexML element: CarrierX cannot run it. Shown read-only."
        else:
            title, about = spec.name, spec.description
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 6)
        name = plain_label(title)
        font = name.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        name.setFont(font)
        description = plain_label(about)
        description.setWordWrap(True)
        self._path = plain_label()
        self._path.setObjectName("path")
        self._path.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._path.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        for widget in (name, description, self._path):
            column.addWidget(widget)
        return box

    def _add_text_row(
        self,
        layout: QFormLayout,
        type_: Type,
        description: str,
        limit: int | None,
        note: str = "",
    ) -> None:
        tip = f"{description}\n{note}" if note else description
        row = _Row(self, None, type_, None, tip, description, limit)
        self._rows[None] = row
        label = plain_label("Text" if type_ is Type.STRING else TEXT_LABELS.get(type_, "Text"))
        label.setToolTip(tooltip_html(tip))
        label.setBuddy(row.editor.widget)
        if type_ is Type.STRING:  # multi-line: the whole width, under its label
            layout.addRow(label)
            layout.addRow(row.field())
        else:
            layout.addRow(label, row.field())
        self._watch(row.editor.widget)
        row.refresh()

    def _add_attribute_row(self, layout: QFormLayout, attr: AttrSpec) -> None:
        tip = attribute_tip(attr)
        row = _Row(self, attr.name, attr.type, attr, tip, placeholder_for(attr.default))
        self._rows[attr.name] = row
        row.label = plain_label(attr.name)
        row.label.setToolTip(tooltip_html(tip))
        row.label.setBuddy(row.editor.widget)
        row.reset = self._tool_button(
            f"reset-{attr.name}", RESET_TIP, QStyle.StandardPixmap.SP_DialogResetButton
        )
        row.reset.setAccessibleName(f"Reset {attr.name}")
        row.reset.clicked.connect(lambda: row.on_input("", True))
        layout.addRow(row.label, row.field(row.reset))
        self._watch(row.editor.widget)
        self._chain.append(row.reset)
        row.refresh()

    def _tool_button(self, name: str, tip: str, icon: QStyle.StandardPixmap) -> QToolButton:
        button = QToolButton()
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setIcon(self.style().standardIcon(icon))
        button.setAutoRaise(True)
        return button

    def _watch(self, editor: QWidget) -> None:
        editor.installEventFilter(self)
        self._chain.append(editor)

    def _fill_extras(self) -> None:
        """(Re)list what the schema does not know: unknown attributes, and stray text."""
        node, old = self.node, self._extras
        assert node is not None and old is not None and self._form_layout is not None
        spec = SCHEMA.get(node.tag)
        known = spec.attr_index if spec is not None else {}
        others: list[tuple[str | None, str]] = [
            (name, value) for name, value in node.attrs.items() if name not in known
        ]
        if node.text and None not in self._rows:
            others.insert(0, (None, node.text))
        extras = QWidget()
        layout = QFormLayout(extras)
        layout.setContentsMargins(0, 8, 0, 0)
        if others:
            heading = plain_label("Not in FlexML (CarrierX ignores these)")
            heading.setStyleSheet("font-weight: bold")
            layout.addRow(heading)
        self._chain = [w for w in self._chain if not old.isAncestorOf(w)]
        tag = spec.name if spec is not None else node.tag
        for name, value in others:
            shown = QLineEdit(value)
            shown.setReadOnly(True)
            looks = shown.palette()  # read-only: the window's colour, not an input's
            looks.setColor(QPalette.ColorRole.Base, looks.color(QPalette.ColorRole.Window))
            shown.setPalette(looks)
            shown.setObjectName(f"other-{name or 'text'}")
            what = f"<{tag}> has no attribute {name}" if name else f"<{tag}> takes no text"
            shown.setToolTip(tooltip_html(what))
            remove = self._tool_button(
                f"remove-{name or 'text'}",
                "Remove from the XML",
                QStyle.StandardPixmap.SP_LineEditClearButton,
            )
            remove.clicked.connect(
                lambda _=False, n=name: self.write(self.document, node, n, None, True)
            )
            line = QWidget()
            row = QHBoxLayout(line)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(shown, 1)
            row.addWidget(remove)
            label = plain_label(name or "Text")
            label.setToolTip(tooltip_html(what))
            layout.addRow(label, line)
            self._chain += [shown, remove]
        extras.setVisible(bool(others))
        self._form_layout.replaceWidget(old, extras)
        old.hide()
        old.deleteLater()  # not now: its remove button may be what is calling
        self._extras = extras
        for first, second in zip(self._chain, self._chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _fit_rows(self) -> None:
        """Fields beside their labels, or all of them under their labels in a narrow panel.
        (Qt's WrapLongRows decides row by row, which mixes both and squeezes line edits.)"""
        layout = self._form_layout
        if layout is None:
            return
        labels = [row.label for row in self._rows.values() if row.label is not None]
        widest = max((label.sizeHint().width() for label in labels), default=0)
        narrow = self.width() < widest + NARROWEST_FIELD
        policy = QFormLayout.RowWrapPolicy
        wanted = policy.WrapAllRows if narrow else policy.DontWrapRows
        if layout.rowWrapPolicy() != wanted:
            layout.setRowWrapPolicy(wanted)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_rows()

    def _update_path(self) -> None:
        node, document = self.node, self.document
        if node is None or document is None or self._path is None or self._form is None:
            return
        attached = node is document.root or document.root.is_ancestor_of(node)
        self._path.setText(node.path() if attached else "(removed from the flow)")
        self._form.setEnabled(attached)

    # -- following the document ------------------------------------------------------------

    def _on_document_changed(self, change: Change) -> None:
        if not shiboken6.isValid(self):
            # The panel is gone but the document lives on: stop listening to it.
            if self.document is not None:
                self.document.changed.disconnect(self._on_document_changed)
            return
        if not self._writing:
            self._changed_elsewhere = True
        node = self.node
        if node is None:
            return
        if change.kind in (ChangeKind.ATTRIBUTE, ChangeKind.TEXT):
            if change.node is node:
                row = self._rows.get(change.name if change.kind is ChangeKind.ATTRIBUTE else None)
                if row is not None:
                    if not self._writing:  # undo, redo, another view: a new value
                        row.not_applied = None
                    row.refresh(keep_text=row is self._holding)
                else:
                    self._fill_extras()
            return
        moved = change.node
        if (
            moved is node
            or moved.is_ancestor_of(node)
            or any(a is change.parent or a is change.dest_parent for a in node.ancestors())
        ):
            self._update_path()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.FocusOut:
            # Before the widget's own handling: a spin box then puts its last number back.
            for row in self._rows.values():
                if row.editor.widget is watched:
                    row.left()
            self.editing.break_merge()  # typing into this field is over
        elif (
            kind == QEvent.Type.Wheel
            and isinstance(watched, QAbstractSpinBox | QComboBox)
            and not watched.hasFocus()
        ):
            # WORKAROUND: spin and combo boxes take the wheel even unfocused, so scrolling the
            # form would change whatever value passes under the pointer. Let the form scroll.
            event.ignore()
            return True
        return super().eventFilter(watched, event)
