"""The Slack side of the outbox: post each message with its outbox id in the message metadata,
and find that metadata again to recognise a message an interrupted attempt already posted."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from http.client import HTTPException
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.web import SlackResponse

from domain.conversations import EXPIRED_NOTE
from domain.delivery import PERMANENT_ERRORS, FailureKind, Purpose
from services.outbox import ClaimedMessage, Delivered, DeliveryFailure

OUTBOX_EVENT_TYPE = "alliance_outbox"
HISTORY_PAGE_SIZE = 200
# Slack stamps messages with its own clock; look a little further back than ours says.
CLOCK_SKEW = timedelta(minutes=5)
DEFAULT_RETRY_AFTER = timedelta(seconds=30)


@dataclass(frozen=True)
class Upload:
    """A file shared with the message (files upload v2), the message's text as its comment."""

    name: str  # the file name, e.g. "alliance-health.png"
    title: str
    alt_text: str
    content: bytes


@dataclass(frozen=True)
class RenderedMessage:
    text: str
    blocks: Sequence[Block] | None = None
    # (channel, ts) of a message this one rewrites in place, instead of posting a new one.
    replaces: tuple[str, str] | None = None
    upload: Upload | None = None


Renderer = Callable[[dict[str, Any]], RenderedMessage]
# Told the (purpose, payload) of a pass's messages in the order they go, before the first.
ReadAhead = Callable[[Sequence[tuple[str, dict[str, Any]]]], None]


def render_conversation_expired(payload: dict[str, Any]) -> RenderedMessage:
    return RenderedMessage(text=EXPIRED_NOTE)


RENDERERS: dict[str, Renderer] = {
    Purpose.CONVERSATION_EXPIRED: render_conversation_expired,
}


def outbox_metadata(outbox_id: int) -> dict[str, Any]:
    return {"event_type": OUTBOX_EVENT_TYPE, "event_payload": {"outbox_id": outbox_id}}


def upload_name(outbox_id: int, name: str) -> str:
    """A shared file's name carries its outbox id, as a message's metadata does."""
    return f"{OUTBOX_EVENT_TYPE}-{outbox_id}-{name}"


def carries_outbox_id(message: Mapping[str, Any], outbox_id: int) -> bool:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    shared = (str(file.get("name") or "") for file in message.get("files") or [])
    return bool(
        metadata.get("event_type") == OUTBOX_EVENT_TYPE
        and str(payload.get("outbox_id")) == str(outbox_id)
    ) or any(name.startswith(upload_name(outbox_id, "")) for name in shared)


class SlackSender:
    """Delivers outbox messages with chat.postMessage; a `services.outbox.Sender`.

    Give it a client without retry handlers: the outbox decides when to try again.
    """

    def __init__(
        self,
        client: WebClient,
        renderers: Mapping[str, Renderer],
        read_ahead: ReadAhead | None = None,
    ) -> None:
        self.client = client
        self.renderers = dict(renderers)
        self.read_ahead = read_ahead
        self._im_channels: dict[str, str] = {}  # user id -> the bot's DM channel with them

    def prepare(self, messages: Sequence[ClaimedMessage]) -> None:
        if self.read_ahead is not None:
            self.read_ahead([(message.purpose, message.payload) for message in messages])

    def send(self, message: ClaimedMessage, before_post: Callable[[], None]) -> Delivered:
        render = self.renderers.get(message.purpose)
        if render is None:
            # Perhaps a newer version of the bot planned it; one of those may deliver it.
            raise DeliveryFailure(FailureKind.TRANSIENT, "unknown_purpose")
        rendered = render(message.payload)
        before_post()
        if rendered.replaces is not None:
            channel, ts = rendered.replaces
            with slack_failures():
                self.client.chat_update(
                    channel=channel, ts=ts, text=rendered.text, blocks=rendered.blocks
                )
            return Delivered(channel=channel, ts=ts)
        if rendered.upload is not None:
            return self._share(message, rendered.text, rendered.upload)
        with slack_failures():
            response = self.client.chat_postMessage(
                channel=message.target,
                text=rendered.text,
                blocks=rendered.blocks,
                metadata=outbox_metadata(message.id),
            )
        return Delivered(channel=str(response["channel"]), ts=str(response["ts"]))

    def _share(self, message: ClaimedMessage, text: str, upload: Upload) -> Delivered:
        """Upload the file into the target's channel with the text as its comment. Slack
        shares it after answering, so where the share message sits is not known yet."""
        with slack_failures():
            channel = self._history_channel(message.target)
            self.client.files_upload_v2(
                channel=channel,
                file=upload.content,
                filename=upload_name(message.id, upload.name),
                title=upload.title,
                alt_txt=upload.alt_text,
                initial_comment=text,
            )
        return Delivered(channel=channel, ts=None)

    def already_sent(self, message: ClaimedMessage) -> Delivered | None:
        oldest = (message.earlier_attempts_since - CLOCK_SKEW).timestamp()
        with slack_failures():
            channel = self._history_channel(message.target)
            cursor: str | None = None
            while True:
                page = self.client.conversations_history(
                    channel=channel,
                    oldest=f"{oldest:.6f}",
                    include_all_metadata=True,
                    limit=HISTORY_PAGE_SIZE,
                    cursor=cursor,
                )
                for posted in page.get("messages") or []:
                    if carries_outbox_id(posted, message.id):
                        return Delivered(channel=channel, ts=str(posted["ts"]))
                cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
                if not page.get("has_more") or cursor is None:
                    return None

    def _history_channel(self, target: str) -> str:
        """A message to a user id lands in the bot's DM with them; history needs its id."""
        if not target.startswith(("U", "W")):
            return target
        if target not in self._im_channels:
            opened = self.client.conversations_open(users=target)
            self._im_channels[target] = str(opened["channel"]["id"])
        return self._im_channels[target]


@contextmanager
def slack_failures() -> Iterator[None]:
    """Turn what the Web API client raises into the outbox's kinds of failure."""
    try:
        yield
    except SlackApiError as error:
        raise _failure(error.response) from error
    except TimeoutError as error:
        raise DeliveryFailure(FailureKind.TRANSIENT, "timeout") from error
    except (OSError, HTTPException) as error:  # refused, reset, DNS, a broken response
        timed_out = isinstance(getattr(error, "reason", None), TimeoutError)
        code = "timeout" if timed_out else "connection_error"
        raise DeliveryFailure(FailureKind.TRANSIENT, code) from error


def _failure(response: SlackResponse) -> DeliveryFailure:
    status = response.status_code
    data = response.data if isinstance(response.data, dict) else {}
    error = str(data.get("error") or f"http_{status}")
    if status == 429:
        return DeliveryFailure(
            FailureKind.RATE_LIMITED, "ratelimited", retry_after=retry_after(response.headers)
        )
    if status >= 500:
        return DeliveryFailure(FailureKind.TRANSIENT, f"http_{status}")
    if error in PERMANENT_ERRORS:
        return DeliveryFailure(FailureKind.PERMANENT, error)
    # Anything else (internal_error, a revoked token...) may mend: retried until MAX_ATTEMPTS.
    return DeliveryFailure(FailureKind.TRANSIENT, error)


def retry_after(headers: Mapping[str, Any]) -> timedelta:
    """A 429's Retry-After (a second at least), or DEFAULT_RETRY_AFTER when it has none."""
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return timedelta(seconds=max(1.0, float(raw)))
            except ValueError:
                break
    return DEFAULT_RETRY_AFTER
