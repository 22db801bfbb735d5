"""New nodes and FlexML fragments: what the palette inserts and the clipboard carries.

A fragment is a run of verbs as FlexML text, with or without the `<Response>` around it,
so XML copied from CarrierX's documentation or another app pastes in as verbs. Pasted text
is checked like a file: a DOCTYPE or entity declaration is refused, and so are sizes and
nesting the reader refuses.
"""

from __future__ import annotations

import re

from .errors import MalformedError, RefusedError
from .reader import MAX_BYTES, parse
from .schema import SCHEMA
from .tree import COMMENT, Node
from .writer import write_node

_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>", re.S)
_RESPONSE_START = re.compile(r"\A(?:\s|<!--.*?-->)*<response[\s>/]", re.S | re.I)
_DECLARATIONS = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.I)


def new_node(tag: str) -> Node:
    """A fresh node for `tag` that lints clean: required text gets the schema's example,
    attributes their example values (Store's name, Stream's url), and the node the children
    the schema starts it with (a Stream in Start, Stop and Connect)."""
    spec = SCHEMA.get(tag)
    if spec is None:
        raise KeyError(f"<{tag}> is not a FlexML element")
    text = spec.text.example if spec.text.required and spec.text.example else None
    children = [new_node(child) for child in spec.starter_children]
    return Node(tag, spec.starter_attrs(), text, children)


def fragment_text(nodes: list[Node]) -> str:
    """Nodes as a FlexML fragment (pretty-printed, no declaration, no <Response>)."""
    out: list[str] = []
    for node in nodes:
        write_node(node, out, "")
    return "".join(out)


def parse_fragment(text: str) -> list[Node]:
    """The nodes of pasted FlexML: a whole document's verbs, or a bare run of verbs.

    Raises RefusedError or MalformedError with a message for people; the nodes returned
    are detached and keep their source lines relative to the pasted text.
    """
    if not text.strip():
        raise MalformedError("the clipboard holds no FlexML")
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise RefusedError("the pasted text is over 5 MiB; refused")
    if _DECLARATIONS.search(text):
        raise RefusedError(
            "the pasted text declares a DOCTYPE or entities; FlexML never needs them, "
            "and they are refused for safety"
        )
    body = _DECLARATION.sub("", text, count=1)
    whole = _RESPONSE_START.match(body) is not None
    source = body if whole else f"<Response>{body}</Response>"
    try:
        document = parse(source.encode("utf-8"))
    except MalformedError as exc:
        raise MalformedError(f"the pasted text is not FlexML: {exc.message}") from None
    nodes = list(document.root.children)
    for node in nodes:
        node.parent = None
    if not [n for n in nodes if n.tag != COMMENT]:
        raise MalformedError("the pasted text holds no FlexML verbs")
    return nodes
