"""Headless sub-commands of `flexml-studio`; like gui.core, they never import Qt."""


class UserError(Exception):
    """A mistake the user can fix; printed as one line on stderr, exit code 2."""
