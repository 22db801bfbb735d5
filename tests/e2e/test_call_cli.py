"""`flexml-studio call` as a user runs it: a real subprocess against a sandbox (or a scripted
server) started by the test, credentials in the environment.

Exit 0 with the Call object as JSON on stdout; 1 when CarrierX refused; 2 for the command
line, the credentials or the network. Never a traceback, never the password.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gui.core.runtime.sandbox import Credentials, Sandbox
from tests.conftest import ROOT
from tests.e2e.test_carrierx_client import page_of
from tests.servers import DROP, Reply, ScriptedServer, always

LOGIN = "sandbox_cli"
PASSWORD = "s3cr3t-PASS-xyz"
CREDENTIALS = Credentials(LOGIN, PASSWORD, "core-token-cli")
DIDS = ("15162060100", "15162060101")
FLOW_URL = "http://127.0.0.1:9/flows/main"  # never fetched: the calls are scheduled
PROJECT = """\
<?xml version="1.0" encoding="UTF-8"?>
<flexml-project format="1" entry="main">
  <flow name="main">
    <Response><Say>Hello</Say></Response>
  </flow>
  <flow name="goodbye">
    <Response><Hangup/></Response>
  </flow>
</flexml-project>
"""


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(credentials=CREDENTIALS, dids=DIDS) as running:
        yield running


def flexml_call(*args: str, api_url: str | None, password: str = PASSWORD, **extra_env: str):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLEXML_")}
    env["PYTHONPATH"] = str(ROOT)
    if api_url is not None:
        env.update(FLEXML_API_URL=api_url, FLEXML_LOGIN=LOGIN, FLEXML_PASSWORD=password)
    env.update(extra_env)
    result = subprocess.run(
        [sys.executable, "-m", "gui", "call", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert PASSWORD not in output
    return result


def scheduled(*args: str) -> tuple[str, ...]:
    return (*args, "--delay", "600")


def test_a_call_is_placed_with_the_number_normalised(sandbox):
    result = flexml_call(
        *scheduled("--to", "+1 (516) 206-5318", "--from", "1-516-206-0101", "--url", FLOW_URL),
        "--method",
        "get",
        "--timeout",
        "25",
        "--status-callback",
        "http://127.0.0.1:9/status",
        "--attributes",
        '{"dtmf": "1#", "campaign": "spring"}',
        api_url=sandbox.api_url,
    )
    assert (result.returncode, result.stderr) == (0, "")
    call = json.loads(result.stdout)
    assert result.stdout.startswith("{\n  ")  # indented
    assert call["called_did"] == "15162065318"
    assert call["calling_did"] == "15162060101"
    assert (call["url"], call["method"], call["delay"], call["timeout"]) == (
        FLOW_URL,
        "GET",
        600,
        25,
    )
    assert call["status_callback_url"] == "http://127.0.0.1:9/status"
    assert call["attributes"] == {"dtmf": "1#", "campaign": "spring"}
    placed = sandbox.call(call["call_sid"])
    assert placed is not None and placed["called_did"] == "15162065318"
    assert placed["sandbox"]["status"] == "scheduled"


def test_without_from_the_first_did_calls(sandbox):
    result = flexml_call(
        *scheduled("--to", "516 206 5318", "--url", FLOW_URL), api_url=sandbox.api_url
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["calling_did"] == DIDS[0]


def test_a_flow_of_a_project_is_called_at_its_served_url(sandbox, tmp_path: Path):
    project = tmp_path / "app.flexproj"
    project.write_text(PROJECT, "utf-8")
    base = "https://abc.tunnel.example/t/tok"
    args = ("--to", "5162065318", "--flow", "goodbye", "--project", str(project))
    result = flexml_call(*scheduled(*args, "--base-url", base + "/"), api_url=sandbox.api_url)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["url"] == base + "/flows/goodbye"

    unknown = flexml_call(
        *scheduled("--to", "5162065318", "--flow", "nope", "--project", str(project)),
        "--base-url",
        base,
        api_url=sandbox.api_url,
    )
    assert unknown.returncode == 2
    assert "has no flow named 'nope' (it has: main, goodbye)" in unknown.stderr
    no_base = flexml_call(*scheduled(*args), api_url=sandbox.api_url)
    assert no_base.returncode == 2 and "--flow needs --base-url" in no_base.stderr
    missing = flexml_call(
        "--to", "5162065318", "--flow", "main", "--project", str(tmp_path / "none.flexproj"),
        "--base-url", base, api_url=sandbox.api_url,
    )  # fmt: skip
    assert missing.returncode == 2 and "none.flexproj" in missing.stderr
    assert len(missing.stderr.splitlines()) == 1
    broken = tmp_path / "broken.flexproj"
    broken.write_text("<flexml-project format='1'>\n<flow", "utf-8")
    malformed = flexml_call(
        "--to", "5162065318", "--flow", "main", "--project", str(broken),
        "--base-url", base, api_url=sandbox.api_url,
    )  # fmt: skip
    assert malformed.returncode == 2
    assert malformed.stderr.startswith(f"flexml-studio: {broken}: ")
    assert "(line 2, column" in malformed.stderr


def test_a_wrong_password_exits_1_with_what_to_do(sandbox):
    result = flexml_call(
        *scheduled("--to", "5162065318", "--from", DIDS[0], "--url", FLOW_URL),
        api_url=sandbox.api_url,
        password="not-" + PASSWORD,
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith("flexml-studio: the FlexML API login and password were")
    assert "FlexML endpoint" in result.stderr
    assert "not-" not in result.stderr


def test_carrierx_refusing_a_field_exits_1_naming_it(sandbox):
    result = flexml_call(
        "--to", "5162065318", "--from", "15162069999", "--url", FLOW_URL,
        api_url=sandbox.api_url,
    )  # fmt: skip
    assert (result.returncode, result.stdout) == (1, "")
    assert "calling_did: 15162069999 is not a DID of this endpoint" in result.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--to", "12", "--url", FLOW_URL), "--to '12': too short"),
        (("--to", "hello", "--url", FLOW_URL), "not a phone number"),
        (("--to", "5162065318", "--url", "ftp://x"), "--url 'ftp://x' must be an http://"),
        (("--to", "5162065318", "--url", FLOW_URL, "--attributes", "[1]"), "a JSON object"),
        (("--to", "5162065318", "--url", FLOW_URL, "--attributes", "{"), "not valid JSON"),
        (("--to", "5162065318", "--url", FLOW_URL, "--delay", "-1"), "--delay must be 0 or"),
        (("--to", "5162065318", "--url", FLOW_URL, "--timeout", "0"), "--timeout must be more"),
        (("--to", "5162065318", "--url", FLOW_URL, "--delay", "soon"), "invalid int value"),
        (("--to", "5162065318", "--url", FLOW_URL, "--flow", "main"), "not allowed with"),
        (("--to", "5162065318"), "one of the arguments --url --flow is required"),
        (("--to", "5162065318", "--url", FLOW_URL, "--region", "ZZ"), "not a known region"),
        (("--to", "5162065318", "--url", FLOW_URL, "--method", "PUT"), "invalid choice"),
        (("--to", "5162065318", "--url", FLOW_URL, "--from", "12"), "--from '12'"),
        (("--to", "5162065318", "--url", FLOW_URL, "--status-callback", "x"), "http://"),
    ],
)
def test_usage_errors_exit_2_before_any_request(args, words, free_port):
    closed = f"http://127.0.0.1:{free_port}/flexml/v1"  # a request would fail differently
    result = flexml_call(*args, api_url=closed)
    assert (result.returncode, result.stdout) == (2, "")
    assert words in result.stderr
    assert "connection refused" not in result.stderr


def test_missing_credentials_exit_2_naming_the_variables():
    result = flexml_call("--to", "5162065318", "--url", FLOW_URL, api_url=None)
    assert result.returncode == 2
    assert "FLEXML_LOGIN and FLEXML_PASSWORD" in result.stderr
    only_login = flexml_call(
        "--to", "5162065318", "--url", FLOW_URL, api_url=None, FLEXML_LOGIN=LOGIN
    )
    assert only_login.returncode == 2
    assert "set FLEXML_PASSWORD to" in only_login.stderr


def test_a_bad_api_url_exits_2():
    result = flexml_call("--to", "5162065318", "--url", FLOW_URL, api_url="carrierx.example/v1")
    assert result.returncode == 2 and "must start with https://" in result.stderr


def test_no_answer_exits_2(free_port):
    url = f"http://127.0.0.1:{free_port}/flexml/v1"
    result = flexml_call("--to", "5162065318", "--from", DIDS[0], "--url", FLOW_URL, api_url=url)
    assert (result.returncode, result.stdout) == (2, "")
    assert "connection refused" in result.stderr
    with ScriptedServer(always(DROP)) as server:
        dropped = flexml_call(
            "--to", "5162065318", "--from", DIDS[0], "--url", FLOW_URL, api_url=server.url
        )
    assert dropped.returncode == 2
    assert "may have been carried out anyway" in dropped.stderr
    assert [r.method for r in server.requests] == ["POST"]


def test_an_answer_that_is_not_the_apis_exits_1():
    portal = Reply(
        200, f"<html>Sign in to the Wi-Fi {PASSWORD}</html>", {"Content-Type": "text/html"}
    )
    with ScriptedServer(always(portal)) as server:
        result = flexml_call(
            "--to", "5162065318", "--from", DIDS[0], "--url", FLOW_URL, api_url=server.url
        )
    assert (result.returncode, result.stdout) == (1, "")
    assert "not JSON" in result.stderr and "Sign in to the Wi-Fi ***" in result.stderr


def test_an_endpoint_without_dids_exits_1():
    with ScriptedServer(always(Reply(200, page_of([], 0, 1000, 0, False)))) as server:
        result = flexml_call("--to", "5162065318", "--url", FLOW_URL, api_url=server.url)
    assert (result.returncode, result.stdout) == (1, "")
    assert "has no DIDs to call from" in result.stderr
    assert [r.method for r in server.requests] == ["GET"]


def test_a_loopback_url_warns_when_carrierx_is_not_local():
    # The warning is printed before the call; the call then fails (no such server), exit 2.
    result = flexml_call(
        "--to", "5162065318", "--from", DIDS[0], "--url", FLOW_URL,
        api_url="https://nonexistent.invalid/flexml/v1",
    )  # fmt: skip
    assert result.returncode == 2
    assert "warning: CarrierX cannot reach http://127.0.0.1:9/flows/main" in result.stderr
    assert "could not be resolved" in result.stderr


def test_help_lists_the_call_command():
    result = subprocess.run(
        [sys.executable, "-m", "gui", "call", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    assert result.returncode == 0
    for option in ("--to", "--from", "--url", "--flow", "--profile", "--region", "--base-url"):
        assert option in result.stdout


# -- --profile: credentials from a profile saved in the window -----------------------------


def _save_profile(sandbox, name: str = "Work") -> None:
    from gui.core.keychain import PASSWORD as PASSWORD_KIND
    from gui.core.keychain import Keychain
    from gui.core.profiles import Profile, ProfileStore

    ProfileStore().save(Profile(name, api_url=sandbox.api_url, login=LOGIN))
    keychain = Keychain()  # the tests' fail backend: secrets go to the 0600 file, opted in
    keychain.use_file(True)
    keychain.set(name, PASSWORD_KIND, PASSWORD)


def test_a_profile_supplies_the_url_login_and_password(sandbox):
    _save_profile(sandbox)
    result = flexml_call(
        *scheduled("--to", "15162065318", "--url", FLOW_URL), "--profile", "Work", api_url=None
    )
    assert result.returncode == 0, result.stderr
    call = json.loads(result.stdout)
    assert call["called_did"] == "15162065318" and call["calling_did"] == DIDS[0]
    assert sandbox.call(call["call_sid"]) is not None


def test_an_unknown_profile_or_the_sandbox_profile_is_a_usage_error(sandbox):
    _save_profile(sandbox)
    unknown = flexml_call(
        "--to", "15162065318", "--url", FLOW_URL, "--profile", "Nope", api_url=None
    )
    assert unknown.returncode == 2
    assert "Nope" in unknown.stderr and "Work" in unknown.stderr  # names the known ones
    box = flexml_call(
        "--to", "15162065318", "--url", FLOW_URL, "--profile", "Sandbox", api_url=None
    )
    assert box.returncode == 2
    assert "flexml-studio sandbox" in box.stderr


def test_plain_http_to_another_host_is_warned_about(sandbox):
    # 192.0.2.1 is TEST-NET-1 (never routed): the warning comes first, then a network
    # error (exit 2) within the 5 s connect timeout.
    result = flexml_call(
        "--to", "15162065318", "--url", FLOW_URL, api_url="http://192.0.2.1:9/flexml/v1"
    )
    assert result.returncode == 2
    assert "plain http://" in result.stderr and "unencrypted" in result.stderr
