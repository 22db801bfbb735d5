"""Starting points for a new project: small projects shipped in gui.resources/templates.

Each template is a project file, NAME.flexproj, written exactly as the app saves projects
(a test holds them to that and to linting clean). The table below gives their order in the
New Project dialog and the words shown for them; a test checks it matches the files.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from .project import SUFFIX, Project, load

PACKAGE = "gui.resources"
FOLDER = "templates"


@dataclass(frozen=True)
class Template:
    """A template project: its file name (without suffix), title and one-line description."""

    name: str
    title: str
    description: str

    def load(self) -> Project:
        """A fresh copy of the template, with no file: saving it asks for a location."""
        source = resources.files(PACKAGE).joinpath(f"{FOLDER}/{self.name}{SUFFIX}")
        with resources.as_file(source) as path:
            project = load([path])
        project.path = None
        return project


_TEMPLATES: tuple[Template, ...] = (
    Template("blank", "Blank", "One empty flow named main."),
    Template("hello-world", "Hello World", "Say a greeting, then hang up."),
    Template(
        "ivr-menu",
        "IVR menu",
        "Press 1 for sales or 2 for support: a menu that gathers one key and routes the call.",
    ),
    Template(
        "voicemail",
        "Voicemail",
        "Ask the caller for a message, record it, and thank them once it is saved.",
    ),
    Template(
        "forward",
        "Call forwarding",
        "Connect the caller to another number; say so when nobody answers.",
    ),
    Template("busy", "Busy signal", "Refuse every call with a busy signal, without answering."),
)


def templates() -> list[Template]:
    """Every template, in the order the New Project dialog shows them (blank first)."""
    return list(_TEMPLATES)
