"""Lint: every problem in a flow, with a severity, a stable code and a message for people.

All rules derive from the schema table; none names an element or attribute of its own
except where FLEXML.md states a rule about one (Gather's prompts).

Errors are what CarrierX would refuse or cannot use, and block export; warnings are what
works but may not do what was meant (a URL with spaces is sent percent-encoded, a value only
CarrierX's samples use), and never block anything.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

from .refs import is_valid_name, reference_target
from .schema import ROOT, SCHEMA, AttrSpec, ElementSpec, Flow, Type
from .tree import COMMENT, Document, Node, node_paths


def _close_matches(word: str, choices, n: int = 1) -> list[str]:
    import difflib  # only for the "did you mean" hints: kept off the start-up path

    return difflib.get_close_matches(word, choices, n=n)


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One lint finding. `node` is the tree node it is about (None for file-level notes)."""

    severity: Severity
    code: str
    message: str
    line: int | None = None
    column: int | None = None
    path: str = ""
    node: Node | None = field(default=None, compare=False, repr=False)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


# Elements people bring from TwiML that FlexML does not have. (Sms, Start, Stop, Connect
# and Stream are TwiML's too, but CarrierX documents them: they are in the schema.)
_TWIML_ONLY = frozenset(
    {
        "Conference",
        "Sip",
        "Client",
        "Queue",
        "Enqueue",
        "Message",
        "Leave",
        "Refer",
        "Pay",
        "Prompt",
        "Echo",
    }
)

# ASCII digits only: \d would also take digits of other scripts, which int() accepts.
_INT = re.compile(r"[+-]?[0-9]+\Z")
_DIGITS = re.compile(r"[0-9*#]+\Z")
_KEY = re.compile(r"[0-9*#]\Z")
_DTMF = re.compile(r"[0-9*#,]+\Z")
_NUMBER = re.compile(r"\+?[0-9]{7,15}\Z")
_POLLY = re.compile(r"Polly\.[A-Z][A-Za-z-]*\Z")
# Longer whole numbers are clamped: int() refuses very long strings, and no range is that wide.
_INT_DIGITS = 18
_RECORD_KEYS = re.compile(r"([0-9*#]+|none)\Z")
_GATHER_KEY = re.compile(r"[0-9*#_]\Z")
# sip:user@host or sips:user@host, with an optional port and ;parameters or ?headers.
_SIP_URI = re.compile(r"(?i:sips?):[^\s@]+@[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:[;?]\S*)?\Z")
# What httpx refuses in a URL (it percent-encodes spaces and other characters instead).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _check_url(value: str, flow_names: Collection[str] | None) -> tuple[str, str] | None:
    """(code, message) when `value` is not a usable URL or flow reference, else None."""
    target = reference_target(value)
    if target is not None:
        if not is_valid_name(target):
            return "invalid-url", f"flow:{target} is not a valid flow name"
        if flow_names is not None and target not in flow_names:
            return "unknown-flow", f"flow:{target} refers to a flow this project does not have"
        return None
    return _check_location(value, ("http", "https"), "only http and https URLs")


def _check_ws_url(value: str) -> tuple[str, str] | None:
    """(code, message) when `value` is not a WebSocket URL (ws, wss or relative), else None."""
    if reference_target(value) is not None:
        return "invalid-url", f"{value!r}: a WebSocket server is needed here, not a flow"
    scheme = value.partition(":")[0].lower()
    if scheme in ("http", "https") and value[len(scheme) : len(scheme) + 3] == "://":
        return "invalid-url", f"{value!r} is not a WebSocket URL: use ws:// or wss://"
    return _check_location(value, ("ws", "wss"), "only ws and wss URLs")


def _check_location(value: str, schemes: tuple[str, ...], only: str) -> tuple[str, str] | None:
    """(code, message) when `value` is not an absolute URL of `schemes` or a relative one.
    Spaces inside it are no error (httpx sends them percent-encoded): `_value_warning`."""
    if not value:
        return "invalid-url", "'' is not a URL: it is empty"
    if value != value.strip():
        return "invalid-url", f"{value!r} is not a URL: it starts or ends with white space"
    if _CONTROL.search(value):
        return "invalid-url", f"{value!r} is not a URL: it holds a tab, line break or the like"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number 0-65535)
    except ValueError as exc:
        return "invalid-url", f"{value!r} is not a URL: {exc}"
    if parts.scheme:
        if parts.scheme.lower() not in schemes:
            return "invalid-url", f"{value!r}: {only} (or relative paths) work"
        if not parts.hostname:
            return "invalid-url", f"{value!r} has no host name"
    elif parts.netloc:
        return "invalid-url", f"{value!r}: write the scheme ({schemes[-1]}://) before the host"
    if any(c.isspace() for c in parts.netloc):
        return "invalid-url", f"{value!r} has a space in its host name"
    return None


def _value_warning(type_: Type, value: str, spec: AttrSpec | None) -> tuple[str, str] | None:
    """(code, message) for a value that works but may not do what was meant, else None.
    Only asked about values `_value_problem` accepts."""
    if spec is not None and value in spec.tolerated:
        documented = ", ".join(spec.choices) + (" or Polly.<Name>" if type_ is Type.VOICE else "")
        return (
            "undocumented-value",
            f"{value!r} is not a documented value ({documented}), but CarrierX's own samples "
            "write it; it is kept and exported as written",
        )
    if type_ not in (Type.URL, Type.WS_URL) or reference_target(value) is not None:
        return None
    if any(c.isspace() for c in value):
        return (
            "url-with-spaces",
            f"{_short(value, 60)} has spaces: it will be sent percent-encoded (a space as "
            "%20); CarrierX's own voicemail sample writes such URLs",
        )
    if type_ is Type.WS_URL and urlsplit(value).query:
        return (
            "ws-url-parameters",
            f"{_short(value, 60)} has URL parameters, which CarrierX's Stream url does not "
            "take: send them as <Parameter> children",
        )
    return None


# Types a pattern decides: (the pattern, the problem's code, what is wrong in words).
_PATTERNS: dict[Type, tuple[re.Pattern[str], str, str]] = {
    Type.DIGITS: (_DIGITS, "invalid-digits", "has characters other than the keys 0-9, * and #"),
    Type.KEY: (_KEY, "invalid-digits", "is not one key: 0-9, * or #"),
    Type.DTMF: (_DTMF, "invalid-digits", "has characters other than 0-9, *, # and ,"),
    Type.NUMBER: (
        _NUMBER,
        "invalid-phone-number",
        "is not a phone number: 7 to 15 digits, optionally after a +",
    ),
    Type.GATHER_KEY: (_GATHER_KEY, "invalid-digits", "is not one key (0-9, *, #, or _ for none)"),
    Type.RECORD_KEYS: (_RECORD_KEYS, "invalid-digits", "is not keys from 0-9, * and #, or none"),
}


def _value_problem(
    type_: Type, value: str, spec: AttrSpec | None, flow_names: Collection[str] | None
) -> tuple[str, str] | None:
    """(code, message) for a value that breaks its type, else None."""
    if type_ is Type.STRING:
        return None
    if spec is not None and value in spec.tolerated:
        return None  # `_value_warning` words it
    if type_ is Type.URL:
        return _check_url(value, flow_names)
    if type_ is Type.WS_URL:
        return _check_ws_url(value)
    if type_ is Type.INT:
        if not _INT.match(value):
            return "invalid-int", f"{_short(value)} is not a whole number"
        number = _whole_number(value)
        low = spec.minimum if spec else None
        high = spec.maximum if spec else None
        if (low is not None and number < low) or (high is not None and number > high):
            return "out-of-range", f"{_short(value)} is out of range: allowed {_range(low, high)}"
        return None
    if type_ is Type.BOOL:
        if value in ("true", "false"):
            return None
        hint = " (write it in lower case)" if value.lower() in ("true", "false") else ""
        return "invalid-bool", f"{value!r} is not true or false{hint}"
    if type_ is Type.METHOD:
        if value.isascii() and value.upper() in ("GET", "POST"):
            return None
        return "invalid-method", f"{value!r} is not an HTTP method: use GET or POST"
    if type_ is Type.ENUM:
        choices = spec.choices if spec else ()
        if value in choices:
            return None
        return "invalid-value", f"{value!r} is not one of: {', '.join(choices)}"
    if type_ is Type.VOICE:
        if (spec is not None and value in spec.choices) or _POLLY.match(value):
            return None
        return "invalid-value", f"{value!r} is not a voice: use man, woman or Polly.<Name>"
    if type_ is Type.DIAL_TARGET:
        if _NUMBER.match(value) or _SIP_URI.match(value):
            return None
        return (
            "invalid-phone-number",
            f"{value!r} is not a phone number (7 to 15 digits, optionally after a +) "
            "or a SIP URI (sip:user@host)",
        )
    if type_ in _PATTERNS:
        pattern, code, problem = _PATTERNS[type_]
        return None if pattern.match(value) else (code, f"{value!r} {problem}")
    raise AssertionError(f"unhandled type {type_}")


# The inspector checks values while they are typed, in the same words lint uses.
value_problem = _value_problem


# -- fast acceptance ----------------------------------------------------------------------
# Lint runs on every edit and on 50,000-verb files, so each value first meets a cheap test
# that accepts the common valid forms; only what it does not accept goes through
# `_value_problem`, which is the one place that decides and words the problem.

_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,4})?(?:/[A-Za-z0-9._~%/-]*)?\Z")
_PLAIN_WS_URL = re.compile(r"wss?://[A-Za-z0-9.-]+(?::[0-9]{1,4})?(?:/[A-Za-z0-9._~%/-]*)?\Z")
_FAST_MATCH = {
    Type.DIGITS: _DIGITS,
    Type.KEY: _KEY,
    Type.DTMF: _DTMF,
    Type.NUMBER: _NUMBER,
    Type.DIAL_TARGET: _NUMBER,
    Type.GATHER_KEY: _GATHER_KEY,
    Type.RECORD_KEYS: _RECORD_KEYS,
    Type.URL: _PLAIN_URL,
    Type.WS_URL: _PLAIN_WS_URL,
}


def _accept(type_: Type, spec: AttrSpec | None) -> Callable[[str], object]:
    """A quick test that returns something true only for values `_value_problem` would
    accept."""
    if type_ is Type.STRING:
        return lambda value: True
    if type_ is Type.INT:
        low = spec.minimum if spec else None
        high = spec.maximum if spec else None

        def accept_int(value: str) -> bool:
            if not (value.isascii() and value.isdigit() and len(value) < _INT_DIGITS):
                return False
            number = int(value)
            return (low is None or number >= low) and (high is None or number <= high)

        return accept_int
    if type_ is Type.BOOL:
        return frozenset(("true", "false")).__contains__
    if type_ is Type.METHOD:
        return frozenset(("GET", "POST", "get", "post")).__contains__
    if type_ in (Type.ENUM, Type.VOICE):
        return frozenset(spec.choices if spec else ()).__contains__
    return _FAST_MATCH[type_].match  # a match (true) or None


# Values a quick test accepted, per attribute (and per element's text): flows repeat the
# same few values (voice="woman", timeout="20"), so each is tested once, then looked up.
# Bounded: a flow of many different values (a URL per verb) stops adding past the limit.
_MEMO_LIMIT = 512
# Values longer than this are checked each time, not remembered: the memo holds at most
# _MEMO_LIMIT * _MEMO_VALUE_MAX characters per attribute, whatever the flows hold.
_MEMO_VALUE_MAX = 128


def _remember(memo: set[str], value: str) -> None:
    """Add `value` to a memo of accepted values; a full one starts again."""
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    memo.add(value)


@dataclass(frozen=True)
class _Rules:
    """What lint needs of one element, prepared once from the schema."""

    spec: ElementSpec
    children: frozenset[str]
    # name -> the values a quick test accepted, for attributes with nothing more to check
    accepted: dict[str, set[str]]
    # name -> (quick acceptance, whether to look closer even at an accepted value)
    attributes: dict[str, tuple[Callable[[str], object], bool]]
    free: frozenset[str]  # string attributes with nothing to look closer at
    required: tuple[AttrSpec, ...]
    check_required: bool  # required attributes, or one of a few
    counts_children: bool
    # The text rule, flattened: text outside text_min..text_max (-1 when no text is
    # allowed) is looked at closer, as is text accept_text does not accept (None: any).
    text_required: bool
    text_min: int
    text_max: int
    text_memo: set[str]
    accept_text: Callable[[str], object] | None
    text_unless_children: frozenset[str]
    is_gather: bool
    # Order rules (for top-level verbs).
    must_be_first: bool
    ends: bool
    ends_if_action: bool


def _closer(attr: AttrSpec) -> bool:
    """Whether lint looks at the attribute even when its value is fine."""
    return bool(attr.requires or attr.excludes or attr.use_warning)


def _rules(spec: ElementSpec) -> _Rules:
    text = spec.text
    typed = [a for a in spec.attributes if a.type is not Type.STRING or _closer(a)]
    return _Rules(
        spec,
        frozenset(spec.children),
        {a.name: set() for a in typed if not _closer(a)},
        {a.name: (_accept(a.type, a), _closer(a)) for a in typed},
        frozenset(a.name for a in spec.attributes if a not in typed),
        tuple(a for a in spec.attributes if a.required),
        any(a.required for a in spec.attributes) or spec.needs_one_of is not None,
        spec.min_children > 0 or spec.max_children is not None,
        text.required,
        text.min_length,
        (sys.maxsize if text.max_length is None else text.max_length) if text.allowed else -1,
        set(),
        None if text.type is Type.STRING else _accept(text.type, None),
        frozenset(text.unless_children),
        spec.name == "Gather",
        spec.must_be_first,
        spec.flow is Flow.ENDS,
        spec.flow is Flow.ENDS_IF_ACTION,
    )


_RULES: dict[str, _Rules] = {spec.name: _rules(spec) for spec in SCHEMA.values()}


class _Linter:
    def __init__(self, flow_names: Collection[str] | None) -> None:
        self.flow_names = flow_names
        # (severity, code, message, node or None, line, column) in document order; Problems
        # are made at the end, when every path can be computed in one pass.
        self.found: list[tuple[Severity, str, str, Node | None, int | None, int | None]] = []
        self.stopper: Node | None = None  # the top-level verb after which nothing runs
        self.previous_verb: Node | None = None
        self.position = 0  # of the current top-level verb, comments not counted

    def error(self, node: Node, code: str, message: str) -> None:
        self.found.append((Severity.ERROR, code, message, node, None, None))

    def warning(self, node: Node, code: str, message: str) -> None:
        self.found.append((Severity.WARNING, code, message, node, None, None))

    def problems(self) -> list[Problem]:
        nodes = [item[3] for item in self.found if item[3] is not None]
        paths = iter(node_paths(nodes))
        result = []
        for severity, code, message, node, line, column in self.found:
            if node is None:
                result.append(Problem(severity, code, message, line, column))
            else:
                result.append(
                    Problem(severity, code, message, node.line, node.column, next(paths), node)
                )
        return result

    # -- the walk -------------------------------------------------------------------------

    def run(self, root: Node, notes: list) -> None:
        if root.tag != ROOT:
            self.error(
                root,
                "wrong-root",
                f"the root element is <{root.tag}>; a FlexML document starts with <Response>",
            )
        if notes:
            self.run_with_notes(root, notes)
            return
        # The common case, and the hot path of linting a big flow: no reader notes, so no
        # node's line is needed; each node is checked with its parent's rules at hand.
        element = self.element
        if root.tag != COMMENT:
            above = root.parent  # lint of a subtree: its top still has a place to check
            element(root, _RULES.get(above.tag) if above is not None else None)
        rules = _RULES.get(root.tag)
        sequence = self.sequence if root.tag == ROOT else None
        walk = self.walk
        for node in root._children:
            if node.tag != COMMENT:
                if sequence is not None:
                    sequence(node)
                element(node, rules)
            if node._children:
                walk(node)

    def walk(self, parent: Node) -> None:
        """Check everything below `parent`, in document order. A stack, not recursion: a
        tree built by edits has no depth limit (the reader's is MAX_DEPTH)."""
        element = self.element
        stack = [(iter(parent._children), _RULES.get(parent.tag))]
        while stack:
            children, rules = stack[-1]
            for node in children:
                if node.tag != COMMENT:
                    element(node, rules)
                if node._children:
                    stack.append((iter(node._children), _RULES.get(node.tag)))
                    break
            else:
                stack.pop()

    def run_with_notes(self, root: Node, notes: list) -> None:
        """`run` for a document the reader left notes on: each note (it has only a line)
        goes before the first node from its line on."""
        pending = sorted(notes, key=lambda note: note.line or 0)
        sequence = root.tag == ROOT
        stack: list[Node] = [root]
        while stack:
            node = stack.pop()
            if pending and node.line is not None:
                while pending and (pending[0].line or 0) <= node.line:
                    note = pending.pop(0)
                    self.found.append(
                        (Severity.WARNING, note.code, note.message, None, note.line, note.column)
                    )
            if node.tag != COMMENT:
                if sequence and node.parent is root:
                    self.sequence(node)
                parent = node.parent
                self.element(node, _RULES.get(parent.tag) if parent is not None else None)
            children = node._children
            if children:
                stack.extend(reversed(children))
        for note in pending:
            self.found.append(
                (Severity.WARNING, note.code, note.message, None, note.line, note.column)
            )

    def element(self, node: Node, parent_rules: _Rules | None) -> None:
        """Check one element; `parent_rules` are its parent's (None at the root, or in an
        element lint does not know). The hot path of lint: what is fine costs little."""
        tag = node.tag
        rules = _RULES.get(tag)
        if node.spelling:
            self.spelling(node)
        if rules is None:
            self.unknown_element(node)
            return
        if parent_rules is not None and tag not in parent_rules.children:
            self.misplaced(node, rules.spec)
        attrs = node.attrs
        if attrs:
            accepted = rules.accepted
            for name, value in attrs.items():
                memo = accepted.get(name)
                if memo is None or value not in memo:
                    self.check_attribute(node, rules, name, value)
        if rules.check_required:
            self.required(node, rules.spec, rules.required)
        if rules.counts_children:
            self.child_count(node, rules.spec, rules.children)
        text = node.text
        if text is None:
            if rules.text_required:
                unless = rules.text_unless_children
                for child in node._children:
                    if child.tag in unless:
                        break
                else:
                    self.text(node, rules.spec)
        elif not rules.text_min <= len(text) <= rules.text_max:
            self.text(node, rules.spec)
        elif rules.accept_text is not None and text not in rules.text_memo:
            if not rules.accept_text(text):
                self.text(node, rules.spec)
            elif len(text) <= _MEMO_VALUE_MAX:
                _remember(rules.text_memo, text)
        if rules.is_gather and not node.attrs.get("action"):
            prompts = rules.children
            for child in node._children:
                if child.tag in prompts:
                    break
            else:
                self.gather(node)

    def check_attribute(self, node: Node, rules: _Rules, name: str, value: str) -> None:
        """An attribute whose value was not accepted before: accept it quickly (and
        remember it), or look closer."""
        if name in rules.free:
            return
        entry = rules.attributes.get(name)
        if entry is not None and not entry[1] and entry[0](value):
            if len(value) <= _MEMO_VALUE_MAX:
                _remember(rules.accepted[name], value)
            return
        self.attribute(node, rules.spec, name, value)

    def misplaced(self, node: Node, spec: ElementSpec) -> None:
        parent = node.parent
        assert parent is not None
        where = ", ".join(spec.parents) or "nowhere but the document root"
        self.error(
            node,
            "misplaced-element",
            f"<{node.tag}> cannot go inside <{parent.tag}>; it belongs in {where}",
        )

    def unknown_element(self, node: Node) -> None:
        tag = node.tag
        hint = " (it is TwiML; FlexML has no such verb)" if tag in _TWIML_ONLY else ""
        close = _close_matches(tag, SCHEMA, n=1) if not hint else []
        if close:
            hint = f" (did you mean <{close[0]}>?)"
        self.error(node, "unknown-element", f"<{tag}> is not a FlexML element{hint}")

    def spelling(self, node: Node) -> None:
        assert node.spelling is not None
        for name, original in node.spelling.items():
            if name == "":
                documented = node.tag
                what = f"<{original}> is written <{documented}> in the FlexML documentation"
                code = "normalised-element"
            else:
                documented = name
                what = f"attribute {original} is written {documented} in the documentation"
                code = "normalised-attribute"
            if original.startswith("{"):
                what = f"{original} is in an XML namespace, which was removed (FlexML uses none)"
            self.warning(node, code, f"{what}; it will be exported that way")

    def attribute(self, node: Node, spec: ElementSpec, name: str, value: str) -> None:
        attr = spec.attr_index.get(name)
        if attr is None:
            self.unknown_attribute(node, spec, name)
            return
        found = _value_problem(attr.type, value, attr, self.flow_names)
        if found:
            code, message = found
            self.error(node, code, f"{spec.name} {name}: {message}")
        else:
            found = _value_warning(attr.type, value, attr)
            if found:
                code, message = found
                self.warning(node, code, f"{spec.name} {name}: {message}")
        if attr.use_warning:
            self.warning(node, "undocumented-attribute", attr.use_warning)
        for other in attr.excludes:
            # Reported once, on the first of the two in the schema's order.
            if other in node.attrs and spec.attributes.index(attr) < spec.attributes.index(
                spec.attr_index[other]
            ):
                self.error(
                    node,
                    "conflicting-attributes",
                    f"{spec.name} has both {name} and {other}: use one",
                )
        if attr.requires:
            other, wanted = attr.requires
            if node.attrs.get(other) != wanted:
                self.warning(
                    node,
                    "attribute-without-effect",
                    f'{spec.name} {name} has no effect unless {other}="{wanted}"',
                )

    def unknown_attribute(self, node: Node, spec: ElementSpec, name: str) -> None:
        if spec.unconfirmed_prefixes and name.lower().startswith(spec.unconfirmed_prefixes):
            self.warning(
                node,
                "unconfirmed-attribute",
                f"<{spec.name}> {name}: {spec.unconfirmed_note}, so {name} is kept and "
                "exported as written",
            )
            return
        close = _close_matches(name, spec.attr_index, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        if not spec.attributes:
            hint = f" (<{spec.name}> takes no attributes)"
        self.warning(
            node,
            "unknown-attribute",
            f"<{spec.name}> has no attribute {name}{hint}; CarrierX will ignore it",
        )

    def required(self, node: Node, spec: ElementSpec, required: tuple[AttrSpec, ...]) -> None:
        """Required attributes that are missing (or empty text), and needs_one_of."""
        parent = node.parent.tag if node.parent is not None else None
        attrs = node.attrs
        for attr in required:
            value = attrs.get(attr.name)
            # A value of another type that is empty was reported as invalid already.
            if (value is None or (value == "" and attr.type is Type.STRING)) and (
                attr.is_required(parent)
            ):
                why = f": {attr.why_required}" if attr.why_required else ""
                self.error(
                    node,
                    "missing-attribute",
                    f"<{spec.name}> needs its {attr.name} attribute{why}",
                )
        rule = spec.needs_one_of
        if (
            rule is not None
            and parent in rule.inside
            and not any(attrs.get(name) for name in rule.attributes)
        ):
            self.error(
                node,
                "missing-attribute",
                f"<{spec.name}> has neither {' nor '.join(rule.attributes)}: {rule.why}",
            )

    def child_count(self, node: Node, spec: ElementSpec, allowed: frozenset[str]) -> None:
        # Children that may not stand here are reported as misplaced, not counted.
        count = sum(1 for child in node._children if child.tag in allowed)
        names = " or ".join(f"<{child}>" for child in spec.children)
        if count < spec.min_children:
            if spec.children_required:
                self.error(node, "missing-child", f"<{spec.name}> needs a {names} inside")
            else:
                self.warning(
                    node, "missing-child", f"<{spec.name}> holds no {names}: it does nothing"
                )
        elif spec.max_children is not None and count > spec.max_children:
            self.error(
                node,
                "too-many-children",
                f"<{spec.name}> may hold only {spec.max_children} {names}; it holds {count}",
            )

    def text(self, node: Node, spec: ElementSpec) -> None:
        rule = spec.text
        text = node.text
        if text is None:
            if rule.required and not (
                any(c.tag in rule.unless_children for c in node._children)
                or any(a in node.attrs for a in rule.unless_attrs)
            ):
                self.error(node, "missing-text", f"<{spec.name}> needs {_needs(spec)}")
            return
        if not rule.allowed:
            self.warning(
                node,
                "unexpected-text",
                f"<{spec.name}> takes no text; {_short(text)} will be ignored",
            )
            return
        if len(text) < rule.min_length:
            self.error(node, "missing-text", f"<{spec.name}> needs {_needs(spec)}")
        if rule.max_length is not None and len(text) > rule.max_length:
            self.error(
                node,
                "text-too-long",
                f"<{spec.name}> text is {len(text)} characters; the limit is {rule.max_length}",
            )
        found = _value_problem(rule.type, text, None, self.flow_names)
        if found:
            code, message = found
            self.error(node, code, f"{spec.name} text: {message}")
        else:
            found = _value_warning(rule.type, text, None)
            if found:
                code, message = found
                self.warning(node, code, f"{spec.name} text: {message}")

    def sequence(self, node: Node) -> None:
        """Order rules among the document's verbs: reachability and verbs that go first."""
        position = self.position
        previous = self.previous_verb
        self.position += 1
        self.previous_verb = node
        stopper = self.stopper
        if stopper is not None:
            why = _stops_because(stopper)
            self.warning(
                node,
                "unreachable",
                f"<{node.tag}> never runs: {why}"
                + (f" (line {stopper.line})" if stopper.line else ""),
            )
        rules = _RULES.get(node.tag)
        if rules is None:
            return
        if rules.must_be_first and position > 0:
            spec = rules.spec
            assert previous is not None
            if not (position == 1 and previous.tag in spec.may_follow):
                after = f" or right after <{spec.may_follow[0]}>" if spec.may_follow else ""
                self.warning(
                    node,
                    f"{spec.name.lower()}-not-first",
                    f"<{spec.name}> must be the first verb{after}",
                )
        if stopper is None and (rules.ends or (rules.ends_if_action and node.attrs.get("action"))):
            self.stopper = node

    def gather(self, node: Node) -> None:
        prompts = _RULES["Gather"].children
        if not _has_action(node) and not any(c.tag in prompts for c in node._children):
            self.warning(
                node,
                "gather-does-nothing",
                f"<Gather> has neither a prompt inside ({', '.join(SCHEMA['Gather'].children)})"
                " nor an action: the caller hears nothing and the digits go nowhere",
            )


def _has_action(node: Node) -> bool:
    return bool(node.attrs.get("action"))


def _whole_number(value: str) -> int:
    """The value of a string `_INT` matched, clamped to +-10**_INT_DIGITS."""
    magnitude = value.lstrip("+-").lstrip("0")
    number = int(magnitude or "0") if len(magnitude) <= _INT_DIGITS else 10**_INT_DIGITS
    return -number if value.startswith("-") else number


def _range(low: int | None, high: int | None) -> str:
    if high is None:
        return f"{low} or more"
    return f"{high} or less" if low is None else f"{low} to {high}"


def _stops_because(stopper: Node) -> str:
    if SCHEMA[stopper.tag].flow is Flow.ENDS:
        return f"<{stopper.tag}> before it ends the document"
    return f"<{stopper.tag}> before it hands control to its action URL"


def _needs(spec: ElementSpec) -> str:
    rule = spec.text
    text = rule.description or "text"
    return text if text[1:2].isupper() else text[0].lower() + text[1:]


def _short(text: str, limit: int = 30) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def lint(flow: Document | Node, flow_names: Collection[str] | None = None) -> list[Problem]:
    """All problems in a flow, in document order (by the tree, not by source lines: nodes
    added or moved since reading have no line or a stale one).

    With `flow_names` (the project's flows), `flow:NAME` references are checked too.
    """
    linter = _Linter(flow_names)
    if isinstance(flow, Document):
        linter.run(flow.root, flow.notes)
    else:
        linter.run(flow, [])
    return linter.problems()


def has_errors(problems: Collection[Problem]) -> bool:
    return any(p.severity is Severity.ERROR for p in problems)
