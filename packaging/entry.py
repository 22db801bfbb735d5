"""The PyInstaller bundle's entry point: `flexml-studio` as the wheel's script runs it
(gui.cli:main), so the bundle and an installed wheel behave alike.

With FLEXML_STUDIO_SELF_TEST=1 in the environment the bundle instead imports every module
the app loads lazily (the Qt modules for the window, speech and sound; lxml, aiohttp,
keyring, phonenumbers' region data, the resources) and exits 0 when all are there: tests and
`make bundle` use it to catch a module left out of the bundle before a user meets it.
"""

from __future__ import annotations

import os
import sys


def self_test() -> int:
    import importlib
    from importlib import resources

    # Headless first: lxml, the servers, the keyring, phone numbers, the templates.
    for name in ("lxml.etree", "aiohttp.web", "httpx", "keyring", "keyring.backends.fail"):
        importlib.import_module(name)
    import phonenumbers

    phonenumbers.parse("+44 20 7946 0000")  # loads the GB region data (a lazy import)
    from gui.core import templates

    names = [template.load().entry for template in templates.templates()]
    assert names, "no templates"
    from importlib import metadata

    assert metadata.metadata("flexml-studio")["Summary"], "no package metadata"
    folder = resources.files("gui.resources")
    for part in ("icons/flexml-studio.svg", "icons/app/flexml-studio-512.png"):
        assert folder.joinpath(part).is_file(), part

    # Then Qt: what the window, the icons, speech and sound import.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    for name in ("QtSvg", "QtNetwork", "QtMultimedia", "QtTextToSpeech"):
        importlib.import_module(f"PySide6.{name}")
    import qasync  # noqa: F401

    from gui.qt.common import icons

    assert not icons.app_icon().isNull(), "no app icon"
    # The element and severity icons, drawn as a view draws them (by Qt's SVG icon engine,
    # or rendered from the SVG when the bundle has no such plugin): never blank.
    for icon in (icons.verb_icon("Gather"), icons.severity_icon("error")):
        image = icon.pixmap(16, 16).toImage()
        assert (image.width(), image.height()) == (16, 16), "an element icon is missing"
        assert any(image.pixelColor(x, y).alpha() for x in range(16) for y in range(16)), (
            "a blank element icon"
        )
    from PySide6.QtTextToSpeech import QTextToSpeech

    engines = QTextToSpeech.availableEngines()
    print(f"self-test ok: {len(names)} templates, speech engines {engines}")
    app.quit()
    return 0


if __name__ == "__main__":
    if os.environ.get("FLEXML_STUDIO_SELF_TEST") == "1":
        sys.exit(self_test())
    from gui.cli import main

    sys.exit(main())
