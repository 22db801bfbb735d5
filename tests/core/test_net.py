"""The one loopback rule (gui.core.net), which the flow server's bind host, the API URL
warnings, the dial pad and `flexml-studio call` all use."""

import pytest

from gui.core.net import is_http_url, is_loopback, url_is_loopback

LOOPBACK = [
    # names: localhost in any case, with a trailing dot, and every *.localhost (RFC 6761)
    ("localhost", True),
    ("LOCALHOST", True),
    ("LocalHost", True),
    ("localhost.", True),
    ("app.localhost", True),
    ("a.b.LOCALHOST.", True),
    ("localhost.example.com", False),
    ("mylocalhost", False),
    (".localhost", False),
    ("localhost..", False),
    ("example.com", False),
    # IPv4: all of 127.0.0.0/8, nothing else
    ("127.0.0.1", True),
    ("127.0.0.2", True),
    ("127.255.255.254", True),
    ("126.255.255.255", False),
    ("128.0.0.1", False),
    ("0.0.0.0", False),  # listens everywhere: the flow server needs a token there
    ("192.168.1.10", False),
    # IPv6, with or without brackets, and IPv4-mapped loopback
    ("::1", True),
    ("[::1]", True),
    ("0:0:0:0:0:0:0:1", True),
    ("::ffff:127.0.0.1", True),
    ("[::ffff:127.5.6.7]", True),
    ("::ffff:10.0.0.1", False),
    ("::", False),  # every IPv6 address
    ("[::]", False),
    ("2001:db8::1", False),
    # empty, and what does not parse
    ("", False),
    ("[", False),
    ("[]", False),
    ("127.0.0.1.5", False),
    ("::1::", False),
    (" 127.0.0.1", False),
]


@pytest.mark.parametrize(("host", "expected"), LOOPBACK)
def test_is_loopback(host, expected):
    assert is_loopback(host) is expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:9/flows/main", True),
        ("https://LOCALHOST./x", True),
        ("http://[::1]:8080/", True),
        ("http://user:pw@app.localhost/", True),
        ("https://example.com/flow.xml", False),
        ("http://0.0.0.0:8080/", False),
        ("http://[::1", False),  # unparsable
        ("localhost:8080", False),  # no scheme: no host
        ("", False),
    ],
)
def test_url_is_loopback(url, expected):
    assert url_is_loopback(url) is expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/flow.xml", True),
        ("HTTP://example.com", True),
        ("http://127.0.0.1:9/x", True),
        ("ftp://example.com/x", False),
        ("http://", False),
        ("http://:80/", False),
        ("example.com/flow.xml", False),
        ("http://[::1", False),
        ("", False),
    ],
)
def test_is_http_url(url, expected):
    assert is_http_url(url) is expected
