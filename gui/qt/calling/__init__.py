"""Calling: the dial pad, the Endpoint panel (profiles and credentials) and the call log."""
