"""XML out: the one function that turns a flow tree into FlexML bytes.

Export, the XML preview, the CLI and the flow server all call `to_bytes`, so what the user
sees is what CarrierX gets. The output is byte-for-byte what lxml's serialiser writes for the
same element tree (a test holds us to that on golden files and random trees); we write the
text ourselves because building an lxml tree node by node measured 2.5x slower than the
whole parse (see README, Design). Attributes come in schema order, then unknown ones in
their own order; 2-space indentation, or one line with `compact`; deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .refs import resolver
from .schema import URL_ATTRIBUTES, URL_TEXT, attribute_order
from .tree import COMMENT, Node

DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'

_TEXT_SPECIAL = re.compile(r"[&<>\r]")
_ATTR_SPECIAL = re.compile(r'[&<>"\n\r\t]')
_TEXT_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
_ATTR_ESCAPES = {**_TEXT_ESCAPES, '"': "&quot;", "\n": "&#10;", "\t": "&#9;"}


def _escape_text(text: str) -> str:
    if _TEXT_SPECIAL.search(text) is None:
        return text
    return _TEXT_SPECIAL.sub(lambda m: _TEXT_ESCAPES[m.group()], text)


def escape_attr(value: str) -> str:
    if _ATTR_SPECIAL.search(value) is None:
        return value
    return _ATTR_SPECIAL.sub(lambda m: _ATTR_ESCAPES[m.group()], value)


# The schema order of an attribute set depends only on the element and which attributes
# it has, and flows repeat the same few shapes: the order is worked out once per shape.
_ORDER_CACHE: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {}
_ORDER_CACHE_LIMIT = 4096


def _ordered(tag: str, names: tuple[str, ...]) -> tuple[str, ...]:
    key = (tag, names)
    found = _ORDER_CACHE.get(key)
    if found is None:
        order = attribute_order(tag)
        last = len(order)
        found = tuple(sorted(names, key=lambda name: order.get(name, last)))
        if len(_ORDER_CACHE) >= _ORDER_CACHE_LIMIT:
            _ORDER_CACHE.clear()
        _ORDER_CACHE[key] = found
    return found


# Start tags with their attributes, by element and attributes as written: flows repeat the
# same ones (<Say voice="woman">, <Pause length="1"/>), and working out the order and the
# escaping of each is most of the writer's work. Flows of many different ones (a URL per
# verb) only fill it up and clear it.
_START_CACHE: dict[tuple[str, tuple[tuple[str, str], ...]], str] = {}
_START_CACHE_LIMIT = 4096
_START_CACHE_TAG_MAX = 512  # characters: the cache holds at most about 4096 * 2 * 512


def _attributes(tag: str, attrs: dict[str, str], resolve: Callable[[str], str] | None) -> str:
    """The attributes of a start tag, each as ` name="value"`, in schema order."""
    if len(attrs) == 1:
        ((name, value),) = attrs.items()
        if resolve is not None and name in URL_ATTRIBUTES.get(tag, ()):
            value = resolve(value)
        if not value.isalnum():
            value = escape_attr(value)
        return f' {name}="{value}"'
    names = _ordered(tag, tuple(attrs))
    urls = URL_ATTRIBUTES.get(tag, ()) if resolve is not None else ()
    written = ""
    for name in names:
        value = attrs[name]
        if urls and name in urls:
            value = resolve(value)
        if not value.isalnum():  # letters and digits never need escaping: most values
            value = escape_attr(value)
        written += f' {name}="{value}"'
    return written


def _comment(node: Node) -> str:
    return f"<!--{node.text or ''}-->"


def _write(
    node: Node,
    out: list[str],
    indent: str,
    pretty: bool,
    resolve: Callable[[str], str] | None,
) -> None:
    tag = node.tag
    if tag == COMMENT:
        out.append(f"{indent}{_comment(node)}\n" if pretty else _comment(node))
        return
    attrs = node.attrs
    if not attrs:
        start = "<" + tag
    elif resolve is None:
        key = (tag, tuple(attrs.items()))
        start = _START_CACHE.get(key)
        if start is None:
            start = f"<{tag}{_attributes(tag, attrs, None)}"
            if len(start) <= _START_CACHE_TAG_MAX:  # (a long value is written each time)
                if len(_START_CACHE) >= _START_CACHE_LIMIT:
                    _START_CACHE.clear()
                _START_CACHE[key] = start
    else:
        start = f"<{tag}{_attributes(tag, attrs, resolve)}"
    text = node.text
    if text is not None:
        if resolve is not None and tag in URL_TEXT:
            text = resolve(text)
        if "&" in text or "<" in text or ">" in text or "\r" in text:  # faster than a search
            text = _escape_text(text)
    children = node._children
    if not children:
        if pretty:
            if text is None:
                out.append(f"{indent}{start}/>\n")
            else:
                out.append(f"{indent}{start}>{text}</{tag}>\n")
        else:
            out.append(f"{start}/>" if text is None else f"{start}>{text}</{tag}>")
        return
    if text is not None:  # mixed content: lxml adds no white space inside it, nor do we
        inner: list[str] = [f"{start}>{text}"]
        for child in children:
            _write(child, inner, "", False, resolve)
        inner.append(f"</{tag}>")
        out.append(f"{indent}{''.join(inner)}\n" if pretty else "".join(inner))
        return
    if pretty:
        out.append(f"{indent}{start}>\n")
        deeper = indent + "  "
        for child in children:
            _write(child, out, deeper, True, resolve)
        out.append(f"{indent}</{tag}>\n")
    else:
        out.append(start + ">")
        for child in children:
            _write(child, out, "", False, resolve)
        out.append(f"</{tag}>")


def write_node(root: Node, out: list[str], indent: str = "") -> None:
    """Append `root` pretty-printed at `indent` to `out` (for files that embed flows)."""
    _write(root, out, indent, True, None)


def to_text(root: Node, *, compact: bool = False, base_url: str | None = None) -> str:
    """The FlexML document for `root` as text, with the XML declaration.

    With `base_url`, `flow:NAME` references in URL attributes and URL text become
    `BASE_URL/flows/NAME`.
    """
    resolve = resolver(base_url) if base_url else None
    out: list[str] = [DECLARATION, "\n" if not compact else ""]
    _write(root, out, "", not compact, resolve)
    if compact:
        out.append("\n")
    return "".join(out)


def to_bytes(root: Node, *, compact: bool = False, base_url: str | None = None) -> bytes:
    """The FlexML document for `root` as UTF-8 bytes (see `to_text`)."""
    return to_text(root, compact=compact, base_url=base_url).encode("utf-8")
