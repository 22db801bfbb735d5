"""One way to tell the user about a failure: known ones in their words, bugs logged."""

import logging

import pytest

from gui.core.carrierx import CarrierXError
from gui.qt.common.messages import UNEXPECTED, failure_text, known_text, unexpected

LOGGER = logging.getLogger("tests.messages")


class Known(Exception):
    pass


def test_a_known_failure_is_said_in_its_own_words_and_not_logged(caplog):
    with caplog.at_level(logging.DEBUG):
        assert failure_text(Known("the disk is full"), (Known,), LOGGER, "save") == (
            "the disk is full"
        )
    assert not caplog.records


def test_a_known_failure_without_text_is_named():
    assert known_text(Known()) == "Known"


def test_a_carrierx_error_says_its_message():
    exc = CarrierXError("Wrong login or password: check the endpoint's credentials.")
    assert known_text(exc) == "Wrong login or password: check the endpoint's credentials."


def test_a_bug_is_said_as_unexpected_and_logged_with_its_traceback(caplog):
    try:
        raise KeyError("nobody handled this")
    except KeyError as exc:
        said = failure_text(exc, (Known,), LOGGER, "place call")
    assert said == UNEXPECTED
    (record,) = caplog.records
    assert record.levelno == logging.ERROR
    assert record.getMessage() == "place call failed unexpectedly"
    assert record.exc_info and record.exc_info[0] is KeyError


def test_unexpected_logs_the_exception_being_handled(caplog):
    with pytest.raises(ZeroDivisionError):
        try:
            1 / 0  # noqa: B018
        except ZeroDivisionError:
            assert unexpected(LOGGER, "replaying %s %s", "POST", "/flows/menu") == UNEXPECTED
            raise
    (record,) = caplog.records
    assert record.getMessage() == "replaying POST /flows/menu failed unexpectedly"
    assert record.exc_info[0] is ZeroDivisionError
