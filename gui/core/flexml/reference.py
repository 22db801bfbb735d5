"""The FlexML reference as HTML, rendered from the schema table and nothing else.

Every fact on a page (kinds, text rules, parents, children, attributes, defaults, ranges,
choices, descriptions, certainty, the example) is read from `schema.ELEMENTS`; this module
only words and lays them out, so correcting the schema corrects the reference. The HTML
keeps to the subset QTextBrowser renders (tables, spans with a background, a <style> block
with class selectors) and reads the same in a web browser.
"""

from __future__ import annotations

from html import escape

from .fragments import fragment_text, new_node
from .schema import (
    NOUNS,
    ROOT,
    SCHEMA,
    VERBS,
    AttrSpec,
    Certainty,
    ElementSpec,
    Flow,
    Kind,
    TextSpec,
    Type,
)
from .tree import Node

TITLE = "FlexML reference"

# What each certainty mark means (shared/FLEXML.md), and the badge colours: light
# backgrounds with dark text, readable on light and dark themes alike.
CERTAINTY_LEGEND: dict[Certainty, str] = {
    Certainty.DOC: "stated in CarrierX's documentation",
    Certainty.SEEN: "seen in CarrierX's sample code or on the platform, not documented",
    Certainty.ASSUMED: "not found in CarrierX material: taken from TwiML, may be wrong",
}
_BADGE_COLOURS: dict[Certainty, tuple[str, str]] = {
    Certainty.DOC: ("#d7ecd9", "#1b5e20"),
    Certainty.SEEN: ("#dce7f7", "#0d3c7a"),
    Certainty.ASSUMED: ("#fbe5c8", "#7a3e00"),
}

# The values each type takes, in words (lint's checks are the rules; these describe them).
TYPE_VALUES: dict[Type, str] = {
    Type.STRING: "any text",
    Type.INT: "a whole number",
    Type.BOOL: "true or false",
    Type.URL: "an http(s) URL, a relative path, or flow:NAME (a flow of the project)",
    Type.METHOD: "GET or POST",
    Type.DIGITS: "keys from 0-9, * and #",
    Type.KEY: "one key: 0-9, * or #",
    Type.DTMF: "keys from 0-9, * and #; each comma waits half a second",
    Type.NUMBER: "a phone number: 7 to 15 digits, optionally after a +",
    Type.ENUM: "one of the listed values",
    Type.VOICE: "man, woman, or Polly.<Name>",
    Type.GATHER_KEY: "one key (0-9, * or #), or _ for no finish key",
    Type.RECORD_KEYS: "one or more keys from 0-9, * and #, or none",
    Type.WS_URL: "a WebSocket URL (ws:// or wss://) or a relative path",
    Type.DIAL_TARGET: (
        "a phone number (7 to 15 digits, optionally after a +) or a SIP URI (sip:user@host)"
    ),
}

_FLOW_WORDS: dict[Flow, str] = {
    Flow.CONTINUES: "When it is done, the next verb runs.",
    Flow.ENDS: "Nothing after it in the document runs.",
    Flow.ENDS_IF_ACTION: (
        "With an action, control goes to the action URL and the verbs after it do not run; "
        "without one, the next verb runs."
    ),
    Flow.ACTION_ON_RESULT: (
        "The action is requested only when the verb has a result (keys entered, a "
        "recording made); with none, the next verb runs."
    ),
}

_KIND_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Verbs", VERBS),
    ("Nouns", NOUNS),
    ("Document root", (ROOT,)),
)

_STYLE = """
h1 { font-size: x-large; }
h2 { font-size: large; margin-bottom: 2px; }
h3 { font-size: medium; margin-top: 14px; margin-bottom: 4px; }
.kind { color: #777777; font-weight: normal; font-size: small; }
.muted { color: #777777; }
.badge { font-size: small; font-weight: bold; }
th { text-align: left; vertical-align: top; padding-right: 10px; }
td { vertical-align: top; padding-bottom: 6px; }
td.name { padding-right: 12px; white-space: nowrap; }
pre { margin-left: 8px; }
"""


def reference_index() -> list[tuple[str, str]]:
    """(tag, one-line description) of every element: verbs as the palette lists them, then
    nouns, then the document root."""
    return [(tag, SCHEMA[tag].description) for _title, tags in _KIND_GROUPS for tag in tags]


def reference_html(tag: str | None = None) -> str:
    """One element's reference page, or the index of every element when `tag` is None.

    Links between pages are `#Tag`; each page carries the anchor of its own element.
    Raises KeyError for a tag the schema does not know.
    """
    if tag is None:
        return _page(_index_body())
    if tag not in SCHEMA:
        raise KeyError(f"<{tag}> is not a FlexML element")
    return _page(element_html(SCHEMA[tag]))


def reference_document() -> str:
    """The whole reference in one page (the index, then every element), so that each
    `#Tag` link in it resolves inside the same document: for saving or printing."""
    sections = [_index_body()]
    sections += [element_html(SCHEMA[tag]) for tag, _ in reference_index()]
    return _page("\n<hr/>\n".join(sections))


def element_html(spec: ElementSpec) -> str:
    """The HTML body of one element's section (no <html> around it)."""
    name = escape(spec.name)
    out = [
        f'<a name="{name}"></a>',
        f'<h2>{name} <span class="kind">{escape(spec.kind.value)}</span></h2>',
        f"<p>{escape(spec.description)}</p>",
        '<table cellspacing="0">',
        _fact("Text", _text_rule(spec.text)),
        _fact("Goes inside", _links(spec.parents, "nothing: it is the document root")),
        _fact("Children", _links(spec.children, "none")),
    ]
    if spec.kind is Kind.VERB:
        out.append(_fact("Then", escape(_FLOW_WORDS[spec.flow])))
    if spec.must_be_first:
        out.append(_fact("Position", _position(spec)))
    needs = _needs(spec)
    if needs:
        out.append(_fact("Needs", needs))
    if spec.unconfirmed_prefixes:
        out.append(_fact("Not confirmed", _unconfirmed(spec)))
    out.append("</table>")
    out.append("<h3>Attributes</h3>")
    if spec.attributes:
        out.append('<table cellspacing="0">')
        out += [_attribute_row(attr) for attr in spec.attributes]
        out.append("</table>")
        facts = (*spec.attributes, *spec.results)
        used = [c for c in Certainty if any(a.certainty is c for a in facts)]
        out.append(_legend(used))
    else:
        out.append('<p class="muted">None.</p>')
    if spec.results:
        out.append("<h3>The action request adds</h3>")
        out.append('<table cellspacing="0">')
        out += [
            f'<tr><td class="name"><code><b>{escape(r.name)}</b></code></td>'
            f"<td>{escape(r.description)} {certainty_badge(r.certainty)}</td></tr>"
            for r in spec.results
        ]
        out.append("</table>")
    out.append("<h3>Example</h3>")
    out.append(f"<pre>{escape(_example(spec))}</pre>")
    return "\n".join(out)


def example_text(tag: str) -> str:
    """A FlexML snippet showing `tag` as a new node starts (the schema's example text): a
    noun inside its first parent, a container holding its first child."""
    return _example(SCHEMA[tag])


def _example(spec: ElementSpec) -> str:
    node = _starter(spec)
    if spec.kind is Kind.NOUN:
        # The noun stands in its first parent (for its text, with Number and File), and
        # that in its own first parent until a verb is reached: Parameter in Stream in Start.
        while SCHEMA[node.tag].kind is Kind.NOUN and SCHEMA[node.tag].parents:
            parent = SCHEMA[SCHEMA[node.tag].parents[0]]
            node = Node(parent.name, parent.starter_attrs(), children=[node])
    elif spec.children and not spec.text.allowed and not node.children:
        node = Node(spec.name, dict(node.attrs), node.text, [_starter(SCHEMA[spec.children[0]])])
    return fragment_text([node]).rstrip("\n")


def _starter(spec: ElementSpec) -> Node:
    """A new node of `spec` as the palette makes it (fragments.new_node): its example text,
    its attributes' example values and its starting children, all from the schema. The
    attributes and children are filled in here as well, so the examples hold whether or not
    new_node fills them, and for a spec the schema does not list."""
    if SCHEMA.get(spec.name) is spec:
        node = new_node(spec.name)
    else:
        node = Node(spec.name, text=spec.text.example or None)
    attrs = {**spec.starter_attrs(), **node.attrs}
    text = node.text
    children = node.children or [_starter(SCHEMA[tag]) for tag in spec.starter_children]
    return Node(spec.name, attrs, text, children)


def certainty_badge(certainty: Certainty) -> str:
    """A small coloured badge: [doc], [seen] or [assumed]."""
    background, colour = _BADGE_COLOURS[certainty]
    return (
        f'<span class="badge" style="background-color: {background}; color: {colour};">'
        f"&nbsp;{escape(certainty.value)}&nbsp;</span>"
    )


# -- parts -----------------------------------------------------------------------------------


def _page(body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'/>"
        f"<title>{escape(TITLE)}</title><style>{_STYLE}</style></head>\n"
        f"<body>\n{body}\n</body></html>\n"
    )


def _index_body() -> str:
    out = [
        '<a name="index"></a>',
        f"<h1>{escape(TITLE)}</h1>",
        "<p>Every FlexML element, with its attributes and rules, as FlexML Studio checks "
        "them. How sure each fact is:</p>",
        _legend(list(Certainty)),
    ]
    for title, tags in _KIND_GROUPS:
        out.append(f"<h3>{escape(title)}</h3>")
        out.append('<table cellspacing="0">')
        for tag in tags:
            out.append(
                f'<tr><td class="name">{_link(tag)}</td>'
                f"<td>{escape(SCHEMA[tag].description)}</td></tr>"
            )
        out.append("</table>")
    return "\n".join(out)


def _fact(label: str, value_html: str) -> str:
    return f"<tr><th>{escape(label)}</th><td>{value_html}</td></tr>"


def _link(tag: str) -> str:
    name = escape(tag)
    return f'<a href="#{name}">{name}</a>'


def _links(tags: tuple[str, ...], none: str) -> str:
    if not tags:
        return f'<span class="muted">{escape(none)}</span>'
    return ", ".join(_link(tag) for tag in tags)


def _text_rule(rule: TextSpec) -> str:
    if not rule.allowed:
        return '<span class="muted">none: the element takes no text</span>'
    facts = [rule.type.value]
    if rule.required:
        unless = [f"a {_link(child)} child" for child in rule.unless_children]
        unless += [f"a <code>{escape(attr)}</code> attribute" for attr in rule.unless_attrs]
        facts.append("required" + (f" unless it has {' or '.join(unless)}" if unless else ""))
    else:
        facts.append("optional")
    length = _length(rule.min_length, rule.max_length)
    if length:
        facts.append(escape(length))
    if rule.type is not Type.STRING:
        facts.append(escape(TYPE_VALUES[rule.type]))
    description = escape(rule.description) + "<br/>" if rule.description else ""
    if rule.note:
        description += escape(rule.note) + "<br/>"
    return f'{description}<span class="muted">{"; ".join(facts)}</span>'


def _length(low: int, high: int | None) -> str:
    if high is not None:
        return f"{low} to {high} characters"
    return f"at least {low} character{'s' if low != 1 else ''}" if low > 0 else ""


def _position(spec: ElementSpec) -> str:
    where = "Must be the first verb of the document"
    if spec.may_follow:
        where += ", or come right after " + " or ".join(_link(t) for t in spec.may_follow)
    return where + "."


def _needs(spec: ElementSpec) -> str:
    """What the element must hold or have, in words (HTML), or "" when nothing."""
    facts = []
    if spec.min_children or spec.max_children is not None:
        children = " or ".join(_link(tag) for tag in spec.children)
        if spec.min_children == spec.max_children == 1:
            count = f"exactly one {children}"
        elif spec.max_children is None:
            count = f"at least one {children}"
        else:
            count = f"{spec.min_children} to {spec.max_children} {children}"
        if not spec.children_required:
            count += " (without one it does nothing)"
        facts.append(count)
    rule = spec.needs_one_of
    if rule is not None:
        names = " or ".join(f"<code>{escape(name)}</code>" for name in rule.attributes)
        inside = " or ".join(_link(tag) for tag in rule.inside)
        facts.append(f"{names} inside {inside}: else {escape(rule.why)}")
    return "; ".join(facts)


def _unconfirmed(spec: ElementSpec) -> str:
    prefixes = " or ".join(f"<code>{escape(p)}</code>" for p in spec.unconfirmed_prefixes)
    return (
        f"{escape(spec.unconfirmed_note)}: attributes whose names start with {prefixes} are "
        "kept and exported as written, with a warning."
    )


def _attribute_row(attr: AttrSpec) -> str:
    default = escape(attr.default) if attr.default is not None else "not set"
    details = [
        f"Default: <code>{default}</code>" if attr.default is not None else f"Default: {default}",
        f"Allowed: {escape(allowed_values(attr))}",
    ]
    if attr.required:
        inside = " or ".join(_link(tag) for tag in attr.required_inside)
        details.insert(0, "<b>Required</b>" + (f" inside {inside}" if inside else ""))
    for other in attr.excludes:
        details.append(f"Not with <code>{escape(other)}</code>: use one")
    if attr.tolerated:
        seen = ", ".join(attr.tolerated)
        details.append(f"Also seen in CarrierX's samples: {escape(seen)} (a warning)")
    if attr.use_warning:
        details.append(f"Lint warns: {escape(attr.use_warning)}")
    if attr.requires:
        name, value = attr.requires
        details.append(f'Only with <code>{escape(name)}="{escape(value)}"</code>')
    return (
        f'<tr><td class="name"><code><b>{escape(attr.name)}</b></code><br/>'
        f'<span class="muted">{escape(attr.type.value)}</span></td>'
        f"<td>{escape(attr.description)} {certainty_badge(attr.certainty)}<br/>"
        f'<span class="muted">{" · ".join(details)}</span></td></tr>'
    )


def allowed_values(attr: AttrSpec) -> str:
    """The values `attr` takes, in words: its choices, its range, or its type's rule."""
    if attr.type is Type.ENUM:
        return ", ".join(attr.choices)
    if attr.type is Type.VOICE:
        return ", ".join(attr.choices) + ", or Polly.<Name>" if attr.choices else "Polly.<Name>"
    if attr.type is Type.INT:
        return _range(attr.minimum, attr.maximum)
    return TYPE_VALUES[attr.type]


def _range(low: int | None, high: int | None) -> str:
    if low is None and high is None:
        return "any whole number"
    if high is None:
        return f"{low} or more"
    return f"{high} or less" if low is None else f"{low} to {high}"


def _legend(certainties: list[Certainty]) -> str:
    rows = [
        f"<tr><td>{certainty_badge(c)}</td><td>{escape(CERTAINTY_LEGEND[c])}</td></tr>"
        for c in certainties
    ]
    return '<table cellspacing="2" class="legend">' + "".join(rows) + "</table>"


__all__ = [
    "CERTAINTY_LEGEND",
    "TITLE",
    "TYPE_VALUES",
    "allowed_values",
    "certainty_badge",
    "element_html",
    "example_text",
    "reference_document",
    "reference_html",
    "reference_index",
]
