"""The README's recipe for calling the sandbox from a shell, run as written (issue 14).

The code block is taken from README.md and run by bash against the real `flexml-studio`:
`eval "$(flexml-studio sandbox --print-env &)"` must return at once with the variables set,
the sandbox must still be serving for the `call` that follows, and the `kill` must stop it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT

BIN = Path(sys.executable).parent  # where flexml-studio is installed
TIME_LIMIT = 60


def readme_recipe() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```sh\n(.*?)```", text, re.DOTALL) if "--print-env" in b]
    assert len(blocks) == 1, "the README has one sandbox --print-env recipe"
    return blocks[0]


def _ended(pid: int) -> bool:
    """Whether the process is gone (a zombie no one has reaped yet counts as gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return True
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False
    return fields[0] in ("Z", "X")


def _sandbox_pid(stderr: str) -> int | None:
    found = re.search(r"sandbox serving at \S+ \(process (\d+);", stderr)
    return int(found.group(1)) if found else None


def test_the_readme_recipe_runs_as_written(tmp_path):
    recipe = readme_recipe()
    assert 'eval "$(flexml-studio sandbox --print-env &)"' in recipe
    script = "set -e\n" + recipe + 'echo "sandbox process: $FLEXML_SANDBOX_PID"\n'
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLEXML_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    # A file, not a pipe: the sandbox in the background holds the shell's stderr open.
    errors = tmp_path / "stderr.txt"
    started = time.monotonic()
    try:
        with errors.open("w") as stderr:
            result = subprocess.run(
                ["bash", "-c", script],
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                cwd=tmp_path,
                env=env,
                timeout=TIME_LIMIT,
            )
        elapsed = time.monotonic() - started
        said = errors.read_text()
        assert result.returncode == 0, said
        assert "Traceback" not in said
        call_text, _, last = result.stdout.rstrip("\n").rpartition("\n")
        call = json.loads(call_text)  # the Call object the sandbox answered
        assert call["called_did"] == "15162065318" and call["delay"] == 60
        assert call["url"] == "http://127.0.0.1:8080/"
        pid = int(last.removeprefix("sandbox process: "))
        assert pid == _sandbox_pid(said)
        deadline = time.monotonic() + 10
        while not _ended(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _ended(pid), "the recipe's kill stops the sandbox"
        assert elapsed < TIME_LIMIT / 2
    finally:
        pid = _sandbox_pid(errors.read_text()) if errors.exists() else None
        if pid is not None and not _ended(pid):
            os.kill(pid, signal.SIGTERM)  # only the sandbox this test started


def test_the_export_lines_give_back_any_value_through_eval():
    from gui.commands.sandbox_env import env_lines

    info = {
        "api_url": "http://127.0.0.1:1/flexml/v1",
        "login": "sandbox login",
        "password": 'p\'a$s `id` "q" \\ ; $(x) *',
    }
    lines = env_lines(info, 4321)
    script = "\n".join(lines) + '\nprintf "%s\\0" "$FLEXML_API_URL" "$FLEXML_LOGIN" '
    script += '"$FLEXML_PASSWORD" "$FLEXML_SANDBOX_PID"'
    result = subprocess.run(
        ["bash", "-c", f"eval {shlex.quote(script)}"],
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\0")[:-1] == [
        info["api_url"],
        info["login"],
        info["password"],
        "4321",
    ]


# Stands in for the sandbox: print_env, then goes on running (for at most a minute).
GOES_ON = """
import time
from gui.commands.sandbox_env import print_env
print_env({"api_url": "http://127.0.0.1:1/flexml/v1", "login": "l", "password": "p w"})
time.sleep(60)
"""


def test_print_env_lets_go_of_stdout_and_the_process_goes_on(tmp_path):
    script = (
        f'eval "$({shlex.quote(sys.executable)} -c {shlex.quote(GOES_ON)} &)"\n'
        'echo "$FLEXML_SANDBOX_PID $FLEXML_PASSWORD"\n'
    )
    errors = tmp_path / "stderr.txt"
    pid = None
    try:
        with errors.open("w") as stderr:
            result = subprocess.run(
                ["bash", "-c", script],
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                cwd=ROOT,
                timeout=30,  # well before the stand-in's minute: eval did not wait for it
            )
        pid_text, _, password = result.stdout.strip().partition(" ")
        pid = int(pid_text)
        assert password == "p w"
        assert not _ended(pid), "it goes on after eval returned"
        assert f"(process {pid}; stop it with" in errors.read_text()
    finally:
        if pid is not None and not _ended(pid):
            os.kill(pid, signal.SIGTERM)  # the stand-in this test started
