"""The Simulator: runs a flow offline or over HTTP, with keys, outcomes, speech and past runs."""
