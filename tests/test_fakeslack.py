"""Tests for the test infrastructure: FakeSlack and SignedRequests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any
from wsgiref.simple_server import make_server

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from bot.serve import QuietHandler, ThreadingWSGIServer

SECRET = "test-signing-secret"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as f:
        yield f


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=fake.url)


def test_urls(fake: FakeSlack) -> None:
    assert fake.url == f"http://127.0.0.1:{fake.port}/api/"
    assert fake.response_url_base == f"http://127.0.0.1:{fake.port}/hooks/"


def test_auth_test(fake: FakeSlack, client: WebClient) -> None:
    resp = client.auth_test()
    assert resp["ok"] is True
    assert resp["user_id"] == "UBOT"
    assert resp["team_id"] == "T0001"
    assert resp["is_enterprise_install"] is False
    call = fake.last("auth.test")
    assert call.headers["authorization"] == "Bearer xoxb-test"


def test_users_info_known_and_unknown(fake: FakeSlack, client: WebClient) -> None:
    fake.add_user("U123", name="ada", real_name="Ada Lovelace", tz="America/New_York")
    user = client.users_info(user="U123")["user"]
    assert user["id"] == "U123"
    assert user["profile"]["real_name"] == "Ada Lovelace"
    assert user["tz"] == "America/New_York"
    assert user["tz_offset"] in (-5 * 3600, -4 * 3600)
    assert user["deleted"] is False and user["is_bot"] is False

    with pytest.raises(SlackApiError) as exc:
        client.users_info(user="U404")
    assert exc.value.response["error"] == "user_not_found"
    assert [c.args["user"] for c in fake.calls("users.info")] == ["U123", "U404"]


def test_post_message_recorded_with_blocks(fake: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]
    r1 = client.chat_postMessage(channel="C1", text="hi", blocks=blocks)
    r2 = client.chat_postMessage(channel="U9", text="dm")
    assert float(r2["ts"]) > float(r1["ts"])
    assert r1["message"]["blocks"] == blocks
    assert r2["channel"].startswith("D")
    call = fake.calls("chat.postMessage")[0]
    assert call.json("blocks") == blocks  # slack_sdk sends chat.postMessage as JSON
    assert call.args["text"] == "hi"
    assert call.headers["content-type"].startswith("application/json")


def test_history_returns_posted_messages_newest_first_with_metadata_on_request(
    fake: FakeSlack, client: WebClient
) -> None:
    metadata = {"event_type": "alliance_outbox", "event_payload": {"outbox_id": 7}}
    first = client.chat_postMessage(channel="U9", text="one", metadata=metadata)
    second = client.chat_postMessage(channel="U9", text="two")
    assert fake.last("chat.postMessage").json("metadata") is None
    assert fake.calls("chat.postMessage")[0].json("metadata") == metadata
    channel = client.conversations_open(users="U9")["channel"]["id"]
    assert channel == first["channel"] == fake.dm_channel("U9")

    plain = client.conversations_history(channel=channel)
    assert [m["text"] for m in plain["messages"]] == ["two", "one"]
    assert all("metadata" not in m for m in plain["messages"])
    full = client.conversations_history(channel=channel, include_all_metadata=True)
    assert full["messages"][1]["metadata"] == metadata

    newer = client.conversations_history(channel=channel, oldest=first["ts"])
    assert [m["ts"] for m in newer["messages"]] == [second["ts"]]
    assert client.conversations_history(channel="C-EMPTY")["messages"] == []


def test_history_pages_with_a_cursor(fake: FakeSlack, client: WebClient) -> None:
    for n in range(5):
        client.chat_postMessage(channel="C1", text=str(n))
    seen: list[str] = []
    cursor = None
    while True:
        page = client.conversations_history(channel="C1", limit=2, cursor=cursor)
        seen += [m["text"] for m in page["messages"]]
        cursor = page["response_metadata"]["next_cursor"]
        if not page["has_more"]:
            break
    assert seen == ["4", "3", "2", "1", "0"]
    fake.clear()
    assert fake.messages("C1") == []


def test_clock_stamps_messages_uniquely(fake: FakeSlack, client: WebClient) -> None:
    fake.set_clock(lambda: 2_000_000_000.5)
    stamps = [client.chat_postMessage(channel="C1", text="x")["ts"] for _ in range(3)]
    assert stamps == ["2000000000.500000", "2000000000.500001", "2000000000.500002"]
    fake.set_clock(None)
    assert client.chat_postMessage(channel="C1", text="x")["ts"].startswith("17")


def test_form_encoded_json_fields_kept_as_strings(fake: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "divider"}]
    client.chat_update(channel="C1", ts="1.2", text="t", blocks=blocks)
    client.api_call(
        "chat.postEphemeral", data={"channel": "C1", "user": "U1", "blocks": json.dumps(blocks)}
    )
    call = fake.last("chat.postEphemeral")
    assert isinstance(call.args["blocks"], str)  # form-encoded: kept as sent
    assert call.json("blocks") == blocks
    assert fake.last("chat.update").json("blocks") == blocks


def test_json_body_is_parsed(fake: FakeSlack, client: WebClient) -> None:
    view = {"type": "home", "blocks": [{"type": "divider"}]}
    client.api_call("views.publish", json={"user_id": "U1", "view": view})
    call = fake.last("views.publish")
    assert call.json("view") == view
    assert call.args["user_id"] == "U1"


def test_fail_next_and_unknown_method(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", "channel_not_found")
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C1", text="x")
    assert exc.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    with pytest.raises(SlackApiError) as exc:
        client.api_call("no.such_method")
    assert exc.value.response["error"] == "unknown_method"


def test_rate_limited(fake: FakeSlack, client: WebClient) -> None:
    fake.rate_limit_next("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C1", text="x")
    resp = exc.value.response
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "7"
    assert resp["error"] == "ratelimited"
    assert fake.last("chat.postMessage").status == 429


def test_server_error(fake: FakeSlack, client: WebClient) -> None:
    fake.server_error_next("users.list", status=503, times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as exc:
            client.users_list()
        assert exc.value.response.status_code == 503
    assert client.users_list()["members"][0]["id"] == "UBOT"


def test_set_response_and_latency(fake: FakeSlack, client: WebClient) -> None:
    fake.set_response("auth.test", {"user_id": "UOTHER"})
    assert client.auth_test()["user_id"] == "UOTHER"
    fake.set_latency("api.test", 0.2)
    started = time.monotonic()
    client.api_test()
    assert time.monotonic() - started >= 0.2


def test_wait_for(fake: FakeSlack, client: WebClient) -> None:
    threading.Timer(0.1, lambda: client.chat_postMessage(channel="C1", text="late")).start()
    calls = fake.wait_for("chat.postMessage", timeout=5)
    assert calls[0].args["text"] == "late"
    with pytest.raises(AssertionError, match=r"chat\.postMessage x1"):
        fake.wait_for("chat.postMessage", count=2, timeout=0.2)


def test_response_url_and_file_upload(fake: FakeSlack, client: WebClient) -> None:
    hook = WebhookClient(fake.response_url("commands/T0001/1/abc"))
    resp = hook.send(text="done", response_type="ephemeral")
    assert resp.status_code == 200 and resp.body == "ok"
    assert fake.last("response_url").args == {"text": "done", "response_type": "ephemeral"}

    up = client.files_upload_v2(channel="C1", content="a,b\n1,2\n", filename="x.csv")
    assert up["ok"] and up["file"]["id"].startswith("F")
    assert fake.last("file_upload").args["size"] == len(b"a,b\n1,2\n")


def test_keep_alive(fake: FakeSlack) -> None:
    with requests.Session() as s:
        for _ in range(3):
            r = s.post(fake.url + "auth.test", data={"token": "xoxb-test"})
            assert r.json()["ok"] is True
    assert r.headers["Content-Length"] == str(len(r.content))


def test_signed_headers_verify() -> None:
    sender = SignedRequests("http://127.0.0.1:1", SECRET)
    verifier = SignatureVerifier(SECRET)
    body = "token=x&text=hello%20world"
    assert verifier.is_valid_request(body, sender.signed_headers(body))
    stale = sender.signed_headers(body, timestamp=int(time.time()) - 600)
    assert not verifier.is_valid_request(body, stale)
    assert not verifier.is_valid_request(body, sender.signed_headers(body, signature="v0=bad"))
    assert not verifier.is_valid_request(body, sender.signed_headers(body, signed=False))
    assert not SignatureVerifier("other").is_valid_request(body, sender.signed_headers(body))
    retry = sender.signed_headers(body, retry_num=1)
    assert retry["X-Slack-Retry-Num"] == "1"
    assert retry["X-Slack-Retry-Reason"] == "http_timeout"


def test_bolt_accepts_sender_requests(fake: FakeSlack) -> None:
    """End to end: a real Bolt app accepts what SignedRequests sends and talks to FakeSlack."""
    from slack_bolt import App
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    app = App(signing_secret=SECRET, client=WebClient(token="xoxb-test", base_url=fake.url))
    seen: dict[str, Any] = {}

    @app.command("/alliance")
    def on_command(ack: Any, command: dict[str, Any], respond: Any) -> None:
        ack()
        seen["command"] = command
        respond(text=f"you said {command['text']}")

    @app.event("app_home_opened")
    def on_home(event: dict[str, Any], client: WebClient) -> None:
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": []})

    @app.action("go")
    def on_action(ack: Any, body: dict[str, Any]) -> None:
        ack()
        seen["action"] = body

    @app.view("form")
    def on_submit(ack: Any, view: dict[str, Any]) -> None:
        ack(response_action="errors", errors={"b": "bad"})

    server = make_server(
        "127.0.0.1",
        0,
        SlackRequestHandler(app),
        server_class=ThreadingWSGIServer,
        handler_class=QuietHandler,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with SignedRequests(
            f"http://127.0.0.1:{server.server_port}",
            SECRET,
            response_url_base=fake.response_url_base,
        ) as sender:
            assert sender.slash_command("hello").status_code == 200
            assert fake.wait_for("response_url")[0].args["text"] == "you said hello"
            assert seen["command"]["user_id"] == "U0001"

            assert sender.slash_command("x", signature="v0=bad").status_code == 401
            stale = int(time.time()) - 3600
            assert sender.slash_command("x", timestamp=stale).status_code == 401
            assert sender.slash_command("x", signed=False).status_code == 401

            r = sender.url_verification("abc")
            assert r.status_code == 200 and "abc" in r.text

            ev = {"type": "app_home_opened", "user": "U0001", "channel": "D1", "tab": "home"}
            assert sender.event(ev).status_code == 200
            assert fake.wait_for("views.publish")[0].args["user_id"] == "U0001"

            r = sender.block_actions([{"action_id": "go", "value": "1"}])
            assert r.status_code == 200
            assert seen["action"]["actions"][0]["value"] == "1"

            r = sender.view_submission({"callback_id": "form"})
            assert r.status_code == 200
            assert r.json() == {"response_action": "errors", "errors": {"b": "bad"}}
    finally:
        server.shutdown()
        server.server_close()


def test_rate_limits_per_workspace_and_per_channel(fake: FakeSlack, client: WebClient) -> None:
    fake.limit_rate("chat.postMessage", per_second=3, per_channel_per_second=1)
    for channel in ("C1", "C2", "C3"):
        client.chat_postMessage(channel=channel, text="x")
    with pytest.raises(SlackApiError) as over_cap:
        client.chat_postMessage(channel="C4", text="x")
    assert over_cap.value.response.status_code == 429
    assert over_cap.value.response.headers["Retry-After"] == "1"
    fake.limit_rate("chat.postMessage", per_second=100, per_channel_per_second=1)
    client.chat_postMessage(channel="C5", text="x")
    with pytest.raises(SlackApiError) as same_channel:
        client.chat_postMessage(channel="C5", text="again")
    assert same_channel.value.response.status_code == 429
    statuses = [call.status for call in fake.calls("chat.postMessage")]
    assert statuses == [200, 200, 200, 429, 200, 429]
    assert [m["text"] for m in fake.messages("C5")] == ["x"]
