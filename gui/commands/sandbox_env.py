"""`flexml-studio sandbox --print-env`: the sandbox's API URL and credentials as shell
`export` lines, while the sandbox goes on serving, so that one line sets up `call`:

    eval "$(flexml-studio sandbox --print-env &)"
    flexml-studio call --to "+1 (516) 206-5318" --url http://127.0.0.1:8080/ --delay 60
    kill "$FLEXML_SANDBOX_PID"

A command substitution returns when every writer of its pipe has closed it. So once the lines
are written, the sandbox puts /dev/null in place of its standard output (its events are not
printed) and keeps serving in the background until it is sent SIGTERM (or SIGINT); its
standard error still says what goes wrong. Values are quoted for the shell.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping
from typing import Any

# The variables `flexml-studio call` reads, and the one that stops the sandbox.
ENV_API_URL, ENV_LOGIN, ENV_PASSWORD = "FLEXML_API_URL", "FLEXML_LOGIN", "FLEXML_PASSWORD"
ENV_PID = "FLEXML_SANDBOX_PID"


def env_lines(info: Mapping[str, Any], pid: int) -> list[str]:
    """`export NAME=VALUE` lines for a sandbox's `info()`, quoted for sh and bash."""
    values = {
        ENV_API_URL: info["api_url"],
        ENV_LOGIN: info["login"],
        ENV_PASSWORD: info["password"],
        ENV_PID: str(pid),
    }
    return [f"export {name}={shlex.quote(str(value))}" for name, value in values.items()]


def print_env(info: Mapping[str, Any]) -> None:
    """Write the export lines to standard output, then let go of it (see the module).
    Raises BrokenPipeError when nobody reads them."""
    # Said first: once stdout is let go, the shell may be gone on to the next command.
    print(
        f"flexml-studio: sandbox serving at {info['api_url']} (process {os.getpid()}; "
        f'stop it with: kill "${ENV_PID}")',
        file=sys.stderr,
        flush=True,
    )
    text = "".join(line + "\n" for line in env_lines(info, os.getpid()))
    sys.stdout.flush()
    fd = sys.stdout.fileno()
    view = memoryview(text.encode("utf-8"))
    while view:
        view = view[os.write(fd, view) :]
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)
