"""What exporting checks before it writes (the CLI's rule, shared with the window): lint
errors stop it, warnings do not; flow: references and switches are counted; the base URL
must be an http(s) URL."""

import pytest

from gui.core.export_check import (
    blocking_errors,
    check_base_url,
    error_lines,
    reference_counts,
    switch_users,
)
from gui.core.flexml import Node, parse
from gui.core.project import Project
from gui.core.switches import Switch


def project(**flows: str) -> Project:
    made = Project()
    for name, xml in flows.items():
        made.add_flow(name.replace("_", "-"), parse(xml.encode()))
    return made


def test_only_errors_block_and_flows_keep_their_order():
    made = project(
        warned="<Response><Hangup/><Say>never</Say></Response>",
        broken='<Response><Say loop="2x">Hi</Say><Dial/></Response>',
        fine="<Response><Hangup/></Response>",
        also_broken="<Response><Redirect>flow:nowhere</Redirect></Response>",
    )
    assert made.lint()["warned"]  # a warning, which does not block
    errors = blocking_errors(made, made.names)
    assert list(errors) == ["broken", "also-broken"]
    assert [p.code for p in errors["broken"]] == ["invalid-int", "missing-text"]
    assert blocking_errors(made, ["warned", "fine"]) == {}


def test_error_lines_say_where_and_stop_at_the_limit():
    made = project(many="<Response>" + "<Dial/>" * 4 + "</Response>")
    document = made.flow("many")
    document.insert(document.root, 0, Node("Dial"))  # added since: no line, the verb is named
    lines = error_lines(blocking_errors(made, ["many"]), limit=3, name_flows=True)
    assert (
        lines[0]
        == "many: <Dial>: <Dial> needs phone number to dial (not needed with Number children)"
    )
    assert lines[1].startswith("many: line 1: <Dial> needs")
    assert lines[3:] == ["and 2 more"] and len(lines) == 4
    assert error_lines(blocking_errors(made, ["many"]), limit=10)[1].startswith("line 1: ")


def test_references_and_the_switches_they_lead_to_are_counted():
    made = project(
        menu='<Response><Gather action="flow:route"/><Redirect>flow:sales</Redirect></Response>',
        sales="<Response><Redirect>flow:route</Redirect></Response>",
        plain="<Response><Hangup/></Response>",
    )
    made.add_switch(Switch("route", "Digits", (), "sales"))
    assert reference_counts(made, made.names) == {"menu": 2, "sales": 1}
    assert switch_users(made, made.names) == {"route": ["menu", "sales"]}
    assert reference_counts(made, ["plain"]) == {} and switch_users(made, ["plain"]) == {}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("https://flows.example.com/app", None),
        ("http://127.0.0.1:8080", None),
        ("ftp://flows.example.com", "is not an http:// or https:// URL"),
        ("flows.example.com", "is not an http:// or https:// URL"),
        ("https://", "is not an http:// or https:// URL"),
        ("https://flows.example.com:port", "is not a valid URL"),
        ("https://flows.example.com/my app", "has a space in it"),
        ("https://flows.example.com/?a=1", "must not have a query or fragment"),
        ("https://flows.example.com/#top", "must not have a query or fragment"),
    ],
)
def test_the_base_url_must_be_an_http_url(text, reason):
    found = check_base_url(text)
    assert (found is None) if reason is None else (reason in found and repr(text) in found)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("https://user:s3cret@flows.example.com", "user name or password"),
        ("https://user@flows.example.com", "user name or password"),
        ("https://abc.ngrok.app/t/S3CRET-token", "flow server token"),
        ("https://abc.ngrok.app/t/S3CRET-token/", "flow server token"),
        ("https://abc.ngrok.app/app/t/S3CRET-token/flows", "flow server token"),
    ],
)
def test_a_base_url_holding_a_secret_is_refused_without_repeating_it(text, reason):
    found = check_base_url(text)
    assert found is not None and reason in found
    assert "s3cret" not in found.lower()  # the refusal is shown: it never repeats the secret
    assert check_base_url("https://flows.example.com/t") is None  # a last segment "t" is a name
