"""NOT_XML (gui.core.flowtests.model) finds exactly the characters XML 1.0 cannot hold: every
code point is checked against the Char production of the XML 1.0 specification, and lxml
refuses each one it finds."""

from __future__ import annotations

import pytest
from lxml import etree

from gui.core.flowtests.junit import xml_text
from gui.core.flowtests.model import NOT_XML


def allowed_by_xml(code: int) -> bool:
    # Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def test_it_finds_exactly_the_characters_xml_cannot_hold():
    every = "".join(map(chr, range(0x110000)))
    found = {ord(match) for match in NOT_XML.findall(every)}
    expected = {code for code in range(0x110000) if not allowed_by_xml(code)}
    assert found == expected
    assert len(found) == 29 + 2048 + 2  # controls, surrogates, U+FFFE and U+FFFF


@pytest.mark.parametrize("code", [0x0, 0x8, 0xB, 0xC, 0x1F, 0xD800, 0xDFFF, 0xFFFE, 0xFFFF])
def test_what_it_finds_lxml_refuses_and_xml_text_replaces(code):
    element = etree.Element("x")
    with pytest.raises(ValueError):
        element.text = f"a{chr(code)}b"
    element.text = xml_text(f"a{chr(code)}b")
    assert element.text == "a\ufffdb"
