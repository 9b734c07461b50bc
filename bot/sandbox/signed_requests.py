"""Send correctly signed Slack requests (commands, events, interactivity) to a running bot.

Every sending method accepts the signing options of :meth:`SignedRequests.signed_headers`:
``timestamp=`` (sign and send this timestamp, e.g. a stale one), ``signature=`` (send this
signature instead of the right one), ``signed=False`` (no signature headers at all) and
``retry_num=`` / ``retry_reason=`` (Slack's ``X-Slack-Retry-*`` headers).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import time
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

import requests

__all__ = ["SignedRequests", "new_trigger_id", "sign"]

_seq = itertools.count(1)


def sign(signing_secret: str, timestamp: int | str, body: str | bytes) -> str:
    """Slack's v0 signature: ``"v0=" + hex(HMAC-SHA256(secret, "v0:{ts}:{body}"))``."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    base = b"v0:" + str(timestamp).encode("ascii") + b":" + raw
    return "v0=" + hmac.new(signing_secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def new_trigger_id() -> str:
    """A trigger_id shaped like Slack's."""
    return f"{int(time.time())}.{next(_seq):012d}.{secrets.token_hex(16)}"


class SignedRequests:
    """Posts signed Slack requests to ``base_url + path`` (default ``/slack/events``)."""

    def __init__(
        self,
        base_url: str,
        signing_secret: str,
        *,
        team_id: str = "T0001",
        session: requests.Session | None = None,
        path: str = "/slack/events",
        team_domain: str = "fake-team",
        api_app_id: str = "A0001",
        bot_user_id: str = "UBOT",
        token: str = "verification-token",
        response_url_base: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        """``response_url_base`` (e.g. ``FakeSlack.response_url_base``) is used to make a
        response_url when a call does not pass one; without it a dead 127.0.0.1:9 URL is used.
        """
        self.base_url = base_url.rstrip("/")
        self.url = self.base_url + path
        self.signing_secret = signing_secret
        self.team_id = team_id
        self.team_domain = team_domain
        self.api_app_id = api_app_id
        self.bot_user_id = bot_user_id
        self.token = token
        self.response_url_base = response_url_base
        self.timeout = timeout
        self._own_session = session is None
        self.session = session if session is not None else requests.Session()

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Close the session if this sender created it."""
        if self._own_session:
            self.session.close()

    def __enter__(self) -> SignedRequests:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ signing
    def signed_headers(
        self,
        body: str | bytes,
        *,
        timestamp: int | str | None = None,
        signature: str | None = None,
        signed: bool = True,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> dict[str, str]:
        """Slack's request headers for ``body`` (no Content-Type)."""
        headers: dict[str, str] = {}
        if signed:
            ts = str(int(time.time()) if timestamp is None else timestamp)
            headers["X-Slack-Request-Timestamp"] = ts
            headers["X-Slack-Signature"] = (
                signature if signature is not None else sign(self.signing_secret, ts, body)
            )
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason
        return headers

    def post_raw(self, body: bytes | str, content_type: str, **sign_opts: Any) -> requests.Response:
        """POST ``body`` exactly as given (signed over those bytes unless told otherwise)."""
        raw = body.encode("utf-8") if isinstance(body, str) else body
        headers = self.signed_headers(raw, **sign_opts)
        headers["Content-Type"] = content_type
        headers["User-Agent"] = "Slackbot 1.0 (+https://api.slack.com/robots)"
        return self.session.post(self.url, data=raw, headers=headers, timeout=self.timeout)

    def post_form(self, fields: dict[str, Any], **sign_opts: Any) -> requests.Response:
        """POST an ``application/x-www-form-urlencoded`` body."""
        return self.post_raw(urlencode(fields), "application/x-www-form-urlencoded", **sign_opts)

    def post_json(self, payload: dict[str, Any], **sign_opts: Any) -> requests.Response:
        """POST an ``application/json`` body."""
        return self.post_raw(json.dumps(payload), "application/json", **sign_opts)

    # ------------------------------------------------------------------ helpers
    def make_response_url(self) -> str:
        """A fresh response_url under ``response_url_base`` (or a dead local one)."""
        base = self.response_url_base or "http://127.0.0.1:9/hooks/"
        return f"{base.rstrip('/')}/commands/{self.team_id}/{next(_seq)}/{secrets.token_hex(8)}"

    def _team(self) -> dict[str, Any]:
        return {"id": self.team_id, "domain": self.team_domain}

    def _user(self, user_id: str) -> dict[str, Any]:
        name = user_id.lower()
        return {"id": user_id, "username": name, "name": name, "team_id": self.team_id}

    # ------------------------------------------------------------------ slash commands
    def slash_command_fields(
        self,
        text: str,
        *,
        user_id: str = "U0001",
        command: str = "/alliance",
        channel_id: str = "C0001",
        response_url: str | None = None,
        trigger_id: str | None = None,
        user_name: str | None = None,
        channel_name: str | None = None,
    ) -> dict[str, str]:
        """The form fields Slack sends for a slash command."""
        return {
            "token": self.token,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": channel_name
            or ("directmessage" if channel_id.startswith("D") else channel_id.lower()),
            "user_id": user_id,
            "user_name": user_name or user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url or self.make_response_url(),
            "trigger_id": trigger_id or new_trigger_id(),
        }

    def slash_command(
        self,
        text: str,
        *,
        user_id: str = "U0001",
        command: str = "/alliance",
        channel_id: str = "C0001",
        response_url: str | None = None,
        trigger_id: str | None = None,
        **sign_opts: Any,
    ) -> requests.Response:
        """Send a slash command (form-encoded)."""
        fields = self.slash_command_fields(
            text,
            user_id=user_id,
            command=command,
            channel_id=channel_id,
            response_url=response_url,
            trigger_id=trigger_id,
        )
        return self.post_form(fields, **sign_opts)

    # ------------------------------------------------------------------ Events API
    def event_envelope(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
    ) -> dict[str, Any]:
        """The ``event_callback`` envelope around ``event`` (``event_ts`` filled if missing)."""
        now = time.time()
        inner = dict(event)
        inner.setdefault("event_ts", f"{now:.6f}")
        return {
            "token": self.token,
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "context_enterprise_id": None,
            "api_app_id": self.api_app_id,
            "event": inner,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_seq):06d}{secrets.token_hex(4).upper()}",
            "event_time": int(now),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{secrets.token_urlsafe(24)}",
        }

    def event(
        self, event: dict[str, Any], *, event_id: str | None = None, **sign_opts: Any
    ) -> requests.Response:
        """Send an Events API ``event_callback`` (JSON)."""
        return self.post_json(self.event_envelope(event, event_id=event_id), **sign_opts)

    def url_verification(self, challenge: str, **sign_opts: Any) -> requests.Response:
        """Send the Events API ``url_verification`` handshake."""
        payload = {"token": self.token, "challenge": challenge, "type": "url_verification"}
        return self.post_json(payload, **sign_opts)

    # ------------------------------------------------------------------ interactivity
    def interactive(self, payload: dict[str, Any], **sign_opts: Any) -> requests.Response:
        """Send any interactivity payload as the form field ``payload=<json>``."""
        return self.post_form({"payload": json.dumps(payload)}, **sign_opts)

    def block_actions_payload(
        self,
        actions: list[dict[str, Any]],
        *,
        user_id: str = "U0001",
        view: dict[str, Any] | None = None,
        container: dict[str, Any] | None = None,
        trigger_id: str | None = None,
        response_url: str | None = None,
        channel_id: str = "C0001",
        message: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A ``block_actions`` payload; each action gets ``block_id``/``action_ts`` if missing.

        With ``view`` the container is that view (no channel/message/response_url);
        otherwise it is a message in ``channel_id``.
        """
        now = f"{time.time():.6f}"
        filled = []
        for i, action in enumerate(actions):
            a = dict(action)
            a.setdefault("type", "button")
            a.setdefault("block_id", f"block_{i}")
            a.setdefault("action_ts", now)
            filled.append(a)
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": self.token,
            "trigger_id": trigger_id or new_trigger_id(),
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "actions": filled,
        }
        if view is not None:
            full_view = self._full_view(view)
            payload["container"] = container or {
                "type": "view",
                "view_id": full_view["id"],
            }
            payload["view"] = full_view
            payload["state"] = full_view.get("state", {"values": {}})
        else:
            msg = dict(message or {})
            msg.setdefault("type", "message")
            msg.setdefault("ts", f"{time.time():.6f}")
            msg.setdefault("user", self.bot_user_id)
            msg.setdefault("text", "")
            payload["container"] = container or {
                "type": "message",
                "message_ts": msg["ts"],
                "channel_id": channel_id,
                "is_ephemeral": False,
            }
            payload["channel"] = {"id": channel_id, "name": channel_id.lower()}
            payload["message"] = msg
            payload["state"] = {"values": {}}
            payload["response_url"] = response_url or self.make_response_url()
        if view is not None and response_url is not None:
            payload["response_url"] = response_url
        return payload

    def block_actions(
        self,
        actions: list[dict[str, Any]],
        *,
        user_id: str = "U0001",
        view: dict[str, Any] | None = None,
        container: dict[str, Any] | None = None,
        trigger_id: str | None = None,
        response_url: str | None = None,
        **sign_opts: Any,
    ) -> requests.Response:
        """Send a ``block_actions`` interaction."""
        payload = self.block_actions_payload(
            actions,
            user_id=user_id,
            view=view,
            container=container,
            trigger_id=trigger_id,
            response_url=response_url,
        )
        return self.interactive(payload, **sign_opts)

    def _full_view(self, view: dict[str, Any]) -> dict[str, Any]:
        v = dict(view)
        view_id = v.setdefault("id", f"V{next(_seq):08d}")
        v.setdefault("team_id", self.team_id)
        v.setdefault("type", "modal")
        v.setdefault("blocks", [])
        v.setdefault("private_metadata", "")
        v.setdefault("callback_id", "")
        v.setdefault("state", {"values": {}})
        v.setdefault("hash", f"{int(time.time())}.{secrets.token_hex(4)}")
        v.setdefault("external_id", "")
        v.setdefault("root_view_id", view_id)
        v.setdefault("previous_view_id", None)
        v.setdefault("app_id", self.api_app_id)
        v.setdefault("app_installed_team_id", self.team_id)
        v.setdefault("bot_id", "B0001")
        return v

    def view_submission_payload(
        self,
        view: dict[str, Any],
        *,
        user_id: str = "U0001",
    ) -> dict[str, Any]:
        """A ``view_submission`` payload (missing view fields filled with Slack defaults)."""
        return {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": self.token,
            "trigger_id": new_trigger_id(),
            "view": self._full_view(view),
            "response_urls": [],
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def view_submission(
        self, view: dict[str, Any], *, user_id: str = "U0001", **sign_opts: Any
    ) -> requests.Response:
        """Send a ``view_submission`` (modal submit)."""
        return self.interactive(self.view_submission_payload(view, user_id=user_id), **sign_opts)

    def view_closed(
        self,
        view: dict[str, Any],
        *,
        user_id: str = "U0001",
        is_cleared: bool = False,
        **sign_opts: Any,
    ) -> requests.Response:
        """Send a ``view_closed`` (modal closed with notify_on_close)."""
        payload = {
            "type": "view_closed",
            "team": self._team(),
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": self.token,
            "view": self._full_view(view),
            "is_cleared": is_cleared,
            "enterprise": None,
            "is_enterprise_install": False,
        }
        return self.interactive(payload, **sign_opts)
