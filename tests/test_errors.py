"""The global error handler, called as Bolt calls it."""

from __future__ import annotations

import json
import logging

import pytest

from handlers.errors import handle_error


def test_a_failed_command_gets_an_ephemeral_apology_with_a_reference(
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = {"command": "/alliance", "user_id": "U42", "text": "help"}
    with caplog.at_level(logging.ERROR):
        response = handle_error(RuntimeError("boom"), body, logging.getLogger("test"))
    reply = json.loads(response.body)
    assert response.status == 200 and reply["response_type"] == "ephemeral"
    reference = reply["text"].split("reference `")[1].split("`")[0]
    record = caplog.records[-1]
    assert f"request {reference} failed (command /alliance from U42): boom" in record.message
    assert record.exc_info is not None


def test_a_failed_event_is_acknowledged_so_slack_does_not_retry_it() -> None:
    body = {"type": "event_callback", "event": {"type": "app_home_opened", "user": "U1"}}
    response = handle_error(ValueError("x"), body, logging.getLogger("test"))
    assert (response.status, response.body) == (200, "")
