"""FlexML Studio: design, serve, simulate and call CarrierX FlexML voice flows."""

__version__ = "0.1.0"
