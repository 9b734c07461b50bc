"""A Slack workspace as its people see it, built from what the bot sends the stand-in, and
the way they act in it: each act becomes the signed request Slack would send the bot.

The stand-in (`FakeSlack`) answers the bot's Web API calls; this model watches those calls and
applies them as Slack's clients would show them: messages posted and updated, ephemeral
messages for one person, the Home tab per person, each person's stack of modals, replies to
response_url, uploaded files. It never holds its lock while it talks to the bot, since the bot
answers by calling the stand-in, which tells this model.
"""

from __future__ import annotations

import copy
import json
import mimetypes
import re
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

import requests

from bot.sandbox.fake_slack import Call, FakeSlack, Payload
from bot.sandbox.signed_requests import SignedRequests, new_trigger_id

BOT_NAME = "Alliance"
_MENTION = re.compile(r"(?<![<\w])([@#])([a-z0-9][a-z0-9._-]*)")
_T = TypeVar("_T")


class SandboxError(Exception):
    """Something a person did could not be done; the message says what, for the page."""


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    real_name: str
    role: str  # how the page introduces them: admin, manager, employee, alum
    title: str = ""
    tz: str = "Europe/London"
    email: str | None = None


@dataclass(frozen=True)
class Channel:
    id: str
    name: str


@dataclass
class _Hook:
    """What a response_url answers for: who acted, where, and on which message."""

    user: str
    channel: str
    ts: str | None = None


@dataclass
class _File:
    name: str
    title: str
    content: bytes = b""

    @property
    def mimetype(self) -> str:
        return mimetypes.guess_type(self.name)[0] or "application/octet-stream"


@dataclass
class _Message:
    ts: str
    user: str
    text: str = ""
    blocks: list[Payload] | None = None
    files: list[str] = field(default_factory=list)
    only_for: str | None = None  # an ephemeral message: the one person who sees it
    replies: list[_Message] = field(default_factory=list)


class Workspace:
    def __init__(self, slack: FakeSlack, bot: SignedRequests, clock: Callable[[], datetime]):
        self.slack = slack
        self.bot = bot
        self.clock = clock
        self.people: dict[str, Person] = {}
        self.channels: dict[str, Channel] = {}
        self._dms: dict[str, str] = {}  # DM channel id -> its person
        self._lock = threading.Condition()
        self._version = 0
        self._busy = False
        self._messages: dict[str, list[_Message]] = {}
        self._homes: dict[str, Payload] = {}
        self._homes_published: Counter[str] = Counter()
        self._modals: dict[str, list[Payload]] = {}
        self._errors: dict[str, dict[str, str]] = {}  # view id -> block id -> error
        self._triggers: dict[str, str] = {}  # trigger id -> the person it was given to
        self._hooks: dict[str, _Hook] = {}  # response_url path -> what it answers for
        self._files: dict[str, _File] = {}
        self._last_ts = 0
        slack.observe(self._on_call)

    # ------------------------------------------------------------------ set-up
    def add_person(self, person: Person) -> None:
        self.slack.add_user(
            person.id,
            name=person.name,
            real_name=person.real_name,
            tz=person.tz,
            email=person.email,
        )
        dm = self.slack.dm_channel(person.id)
        with self._lock:
            self.people[person.id] = person
            self._dms[dm] = person.id

    def add_channel(self, channel: Channel) -> None:
        with self._lock:
            self.channels[channel.id] = channel

    def dm_of(self, user: str) -> str:
        return next(dm for dm, person in self._dms.items() if person == user)

    # ------------------------------------------------------------------ what people see
    def wait_for_change(self, after: int, timeout: float) -> int:
        """Block until the version passes `after` (or `timeout` seconds); the version."""
        with self._lock:
            self._lock.wait_for(lambda: self._version > after, timeout)
            return self._version

    @property
    def version(self) -> int:
        return self._version

    def set_busy(self, busy: bool) -> None:
        with self._lock:
            self._busy = busy
            self._changed()

    def seen_by(self, user: str) -> Payload:
        """Everything `user` sees, as the page draws it."""
        with self._lock:
            if user not in self.people:
                raise SandboxError(f"There is no one with the id {user} here.")
            channels = [{"id": self.dm_of(user), "name": BOT_NAME, "kind": "dm"}]
            channels += [{"id": c.id, "name": c.name, "kind": "channel"} for c in self._listed()]
            now = self.clock()
            return {
                "version": self._version,
                "me": user,
                "clock": {
                    "now": now.isoformat(),
                    "label": f"{now:%a %d %b %Y, %H:%M} UTC",
                    "date": now.date().isoformat(),
                },
                "busy": self._busy,
                "team": {"id": self.slack.team_id, "name": self.slack.team},
                "people": [_person_json(p) for p in self.people.values()],
                "channels": channels,
                "conversations": {
                    c["id"]: [self._message_json(m) for m in self._visible(c["id"], user)]
                    for c in channels
                },
                "home": self._view_json(self._homes[user]) if user in self._homes else None,
                "modals": [self._view_json(v) for v in self._modals.get(user, [])],
            }

    def file(self, file_id: str) -> tuple[str, str, bytes] | None:
        """A file the bot uploaded: (name, MIME type, content)."""
        with self._lock:
            found = self._files.get(file_id)
            return None if found is None else (found.name, found.mimetype, found.content)

    def messages_in(self, channel: str, user: str) -> list[Payload]:
        with self._lock:
            return [self._message_json(m) for m in self._visible(channel, user)]

    def home_of(self, user: str) -> Payload | None:
        with self._lock:
            return copy.deepcopy(self._homes.get(user))

    def homes_published(self, user: str) -> int:
        """How many times the bot has published this person's Home tab."""
        with self._lock:
            return self._homes_published[user]

    def modals_of(self, user: str) -> list[Payload]:
        with self._lock:
            return [self._view_json(v) for v in self._modals.get(user, [])]

    # ------------------------------------------------------------------ what people do
    def command(self, user: str, channel: str, text: str) -> None:
        """`/alliance text`, typed by `user` in `channel`."""
        hook = self._new_hook(user, channel)
        escaped = self._escape_mentions(text)
        answer = self._send(
            lambda: self.bot.slash_command(
                escaped,
                user_id=user,
                channel_id=channel,
                response_url=hook,
                trigger_id=self._new_trigger(user),
            )
        )
        if not answer.content:
            return
        reply = _ack_body(answer)
        in_channel = reply.get("response_type") == "in_channel"
        with self._lock:
            message = self._add(
                channel,
                reply,
                sender=self.slack.bot_user_id,
                only_for=None if in_channel else user,
            )
            self._hooks[urlsplit(hook).path].ts = message.ts
            self._changed()

    def say(self, user: str, channel: str, text: str) -> None:
        """A message `user` types into `channel` (a DM with the bot, or a channel)."""
        if not text.strip():
            raise SandboxError("Type a message first.")
        with self._lock:
            message = self._add(channel, {"text": text}, sender=user)
            event = {
                "type": "message",
                "channel": channel,
                "user": user,
                "text": text,
                "ts": message.ts,
                "team": self.slack.team_id,
                "client_msg_id": str(uuid.uuid4()),
                "channel_type": "im" if channel in self._dms else "channel",
            }
            self._changed()
        self.slack.record_message(channel, event)
        self._send(lambda: self.bot.event({**event, "event_ts": event["ts"]}))

    def press(
        self, user: str, container: Payload, action: Payload, state: Payload | None = None
    ) -> None:
        """A button, menu or picker used in a message or a view (block_actions)."""
        trigger = self._new_trigger(user)
        if container.get("type") == "view":
            view = self._view_for(user, str(container.get("view_id")))
            full = {**view, "state": state or {"values": {}}}
            payload = self.bot.block_actions_payload(
                [action], user_id=user, view=full, trigger_id=trigger
            )
        else:
            channel, ts = str(container.get("channel")), str(container.get("ts"))
            with self._lock:
                found = self._find(channel, ts)
                if found is None or found.only_for not in (None, user):
                    raise SandboxError("That message is no longer there.")
                message = self._slack_message(found)
                ephemeral = found.only_for is not None
            payload = self.bot.block_actions_payload(
                [action],
                user_id=user,
                channel_id=channel,
                message=message,
                trigger_id=trigger,
                response_url=self._new_hook(user, channel, ts),
                container={
                    "type": "message",
                    "message_ts": ts,
                    "channel_id": channel,
                    "is_ephemeral": ephemeral,
                },
            )
            payload["state"] = state or {"values": {}}
            if ephemeral:  # Slack sends no message for an ephemeral one
                payload.pop("message")
        self._send(lambda: self.bot.interactive(payload))

    def submit(self, user: str, view_id: str, state: Payload) -> None:
        """The modal's submit button, and what the bot's ack asks of the modal."""
        view = self._view_for(user, view_id)
        answer = self._send(
            lambda: self.bot.view_submission({**view, "state": state}, user_id=user)
        )
        reply = _ack_body(answer) if answer.content else {}
        action = reply.get("response_action")
        with self._lock:
            stack = self._modals.get(user, [])
            if action == "errors":
                self._errors[view_id] = dict(reply.get("errors") or {})
            elif action == "update":
                self._replace_view({**reply["view"], "id": view_id})
            elif action == "push":
                stack.append(self._pushed(reply["view"]))
            elif action == "clear":
                stack.clear()
            else:
                self._close(user, view_id)
            self._changed()

    def close(self, user: str, view_id: str) -> None:
        """The modal's close button: the bot hears of it when the view asked to."""
        view = self._view_for(user, view_id)
        with self._lock:
            self._close(user, view_id)
            self._changed()
        if view.get("notify_on_close"):
            self._send(lambda: self.bot.view_closed(view, user_id=user))

    def open_home(self, user: str) -> None:
        """The person opens the app's Home tab (app_home_opened)."""
        event: Payload = {"type": "app_home_opened", "user": user, "tab": "home"}
        with self._lock:
            event["channel"] = self.dm_of(user)
            if user in self._homes:
                event["view"] = copy.deepcopy(self._homes[user])
        self._send(lambda: self.bot.event(event))

    def wait_until(self, check: Callable[[], _T | None], timeout: float = 10.0) -> _T:
        """Block until `check` (run with the lock held) gives something; that thing."""
        found: list[_T] = []

        def done() -> bool:
            result = check()
            if result is not None:
                found.append(result)
            return bool(found)

        with self._lock:
            if not self._lock.wait_for(done, timeout):
                raise SandboxError(f"Nothing came from the bot within {timeout:.0f} s.")
        return found[0]

    def _escape_mentions(self, text: str) -> str:
        """As Slack's client does for a command with should_escape: `@dana` and `#alumni`
        become `<@U…|dana>` and `<#C…|alumni>`."""
        by_name = {p.name: p.id for p in self.people.values()}
        channels = {c.name: c.id for c in self.channels.values()}

        def escape(match: re.Match[str]) -> str:
            sign, name = match.group(1), match.group(2)
            if sign == "@" and name in by_name:
                return f"<@{by_name[name]}|{name}>"
            if sign == "#" and name in channels:
                return f"<#{channels[name]}|{name}>"
            return match.group(0)

        return _MENTION.sub(escape, text)

    # ------------------------------------------------------------------ the bot's calls
    def _on_call(self, call: Call, answer: Payload) -> None:
        apply = self._APPLY.get(call.method)
        if apply is None:
            return
        with self._lock:
            apply(self, call, answer)
            self._changed()

    def _posted(self, call: Call, answer: Payload) -> None:
        message = answer["message"]
        self._add(answer["channel"], message, sender=self.slack.bot_user_id)

    def _updated(self, call: Call, answer: Payload) -> None:
        found = self._find(self._channel_of(str(call.args.get("channel"))), str(answer["ts"]))
        if found is not None:
            found.text = str(call.args.get("text", ""))
            found.blocks = call.json("blocks")

    def _ephemeral(self, call: Call, answer: Payload) -> None:
        fields = {"text": call.args.get("text", ""), "blocks": call.json("blocks")}
        self._add(
            self._channel_of(str(call.args.get("channel"))),
            {**fields, "ts": answer["message_ts"]},
            sender=self.slack.bot_user_id,
            only_for=str(call.args.get("user")),
        )

    def _deleted(self, call: Call, answer: Payload) -> None:
        self._remove(self._channel_of(str(answer.get("channel"))), str(answer.get("ts")))

    def _published(self, call: Call, answer: Payload) -> None:
        user = str(call.args.get("user_id"))
        self._homes[user] = answer["view"]
        self._homes_published[user] += 1

    def _opened(self, call: Call, answer: Payload) -> None:
        user = self._triggers.get(str(call.args.get("trigger_id")))
        if user is not None:
            self._modals[user] = [answer["view"]]

    def _pushed_by_bot(self, call: Call, answer: Payload) -> None:
        user = self._triggers.get(str(call.args.get("trigger_id")))
        if user is not None:
            self._modals.setdefault(user, []).append(answer["view"])

    def _view_updated(self, call: Call, answer: Payload) -> None:
        self._replace_view(answer["view"])

    def _upload_named(self, call: Call, answer: Payload) -> None:
        name = str(call.args.get("filename") or "file")
        self._files[answer["file_id"]] = _File(name=name, title=name)

    def _uploaded(self, call: Call, answer: Payload) -> None:
        file = self._files.get(str(call.args.get("file_id")))
        if file is not None:
            sent = call.args.get("file")
            file.content = sent if isinstance(sent, bytes) else call.body

    def _shared(self, call: Call, answer: Payload) -> None:
        channel = str(call.args.get("channel_id") or "")
        shared = [f for f in answer.get("files", []) if f.get("id") in self._files]
        for entry in shared:
            self._files[entry["id"]].title = str(entry.get("title") or entry.get("name"))
        if channel and shared:
            message = self._add(
                self._channel_of(channel),
                {"text": call.args.get("initial_comment") or "", "ts": None},
                sender=self.slack.bot_user_id,
            )
            message.files = [f["id"] for f in shared]

    def _responded(self, call: Call, answer: Payload) -> None:
        hook = self._hooks.get(call.path)
        if hook is None:
            return
        reply = call.args
        if _truthy(reply.get("delete_original")) and hook.ts:
            self._remove(hook.channel, hook.ts)
            return
        if _truthy(reply.get("replace_original")) and hook.ts:
            found = self._find(hook.channel, hook.ts)
            if found is not None:
                found.text = str(reply.get("text", ""))
                found.blocks = call.json("blocks")
                return
        in_channel = reply.get("response_type") == "in_channel"
        message = self._add(
            hook.channel,
            {"text": reply.get("text", ""), "blocks": call.json("blocks")},
            sender=self.slack.bot_user_id,
            only_for=None if in_channel else hook.user,
        )
        hook.ts = hook.ts or message.ts

    _APPLY: ClassVar[dict[str, Callable[[Workspace, Call, Payload], None]]] = {
        "chat.postMessage": _posted,
        "chat.update": _updated,
        "chat.postEphemeral": _ephemeral,
        "chat.delete": _deleted,
        "views.publish": _published,
        "views.open": _opened,
        "views.push": _pushed_by_bot,
        "views.update": _view_updated,
        "files.getUploadURLExternal": _upload_named,
        "file_upload": _uploaded,
        "files.completeUploadExternal": _shared,
        "response_url": _responded,
    }

    # ------------------------------------------------------------------ helpers (lock held)
    def _changed(self) -> None:
        self._version += 1
        self._lock.notify_all()

    def _listed(self) -> Iterator[Channel]:
        return iter(sorted(self.channels.values(), key=lambda c: c.name))

    def _channel_of(self, channel: str) -> str:
        """A user id names the bot's DM with that person, as chat.postMessage allows."""
        if channel.startswith(("U", "W")):
            return next((dm for dm, person in self._dms.items() if person == channel), channel)
        return channel

    def _next_ts(self) -> str:
        micros = max(round(self.clock().timestamp() * 1_000_000), self._last_ts + 1)
        self._last_ts = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _add(
        self, channel: str, fields: Payload, *, sender: str, only_for: str | None = None
    ) -> _Message:
        message = _Message(
            ts=str(fields.get("ts") or self._next_ts()),
            user=sender,
            text=str(fields.get("text") or ""),
            blocks=_blocks(fields.get("blocks")),
            only_for=only_for,
        )
        thread = fields.get("thread_ts")
        parent = self._find(channel, str(thread)) if thread else None
        (parent.replies if parent else self._messages.setdefault(channel, [])).append(message)
        return message

    def _find(self, channel: str, ts: str) -> _Message | None:
        for message in self._messages.get(channel, []):
            if message.ts == ts:
                return message
            for reply in message.replies:
                if reply.ts == ts:
                    return reply
        return None

    def _remove(self, channel: str, ts: str) -> None:
        kept = [m for m in self._messages.get(channel, []) if m.ts != ts]
        self._messages[channel] = kept

    def _visible(self, channel: str, user: str) -> list[_Message]:
        return [m for m in self._messages.get(channel, []) if m.only_for in (None, user)]

    def _view_for(self, user: str, view_id: str) -> Payload:
        with self._lock:
            views = [
                *self._modals.get(user, []),
                *([self._homes[user]] if user in self._homes else []),
            ]
            for view in views:
                if view.get("id") == view_id:
                    return copy.deepcopy(view)
        raise SandboxError("That window is closed now.")

    def _replace_view(self, view: Payload) -> None:
        self._errors.pop(str(view.get("id")), None)
        for stack in self._modals.values():
            for index, shown in enumerate(stack):
                if shown.get("id") == view.get("id"):
                    stack[index] = {**shown, **view}
        for user, home in self._homes.items():
            if home.get("id") == view.get("id"):
                self._homes[user] = {**home, **view}

    def _pushed(self, view: Payload) -> Payload:
        return {**view, "id": f"V{uuid.uuid4().hex[:10].upper()}", "type": "modal"}

    def _close(self, user: str, view_id: str) -> None:
        stack = self._modals.get(user, [])
        ids = [v.get("id") for v in stack]
        if view_id in ids:
            del stack[ids.index(view_id) :]
        self._errors.pop(view_id, None)

    def _new_trigger(self, user: str) -> str:
        trigger = new_trigger_id()
        with self._lock:
            self._triggers[trigger] = user
        return trigger

    def _new_hook(self, user: str, channel: str, ts: str | None = None) -> str:
        url = self.bot.make_response_url()
        with self._lock:
            self._hooks[urlsplit(url).path] = _Hook(user, channel, ts)
        return url

    def _send(self, request: Callable[[], requests.Response]) -> requests.Response:
        """Send the bot a request as Slack would, and say plainly when it did not take it."""
        try:
            answer = request()
        except requests.RequestException as error:
            raise SandboxError(f"The bot did not answer: {error}") from error
        if answer.status_code != 200:
            raise SandboxError(f"The bot answered {answer.status_code}: {answer.text[:200]}")
        return answer

    def _slack_message(self, message: _Message) -> Payload:
        shown: Payload = {"type": "message", "ts": message.ts, "user": message.user}
        shown["text"] = message.text
        if message.blocks is not None:
            shown["blocks"] = copy.deepcopy(message.blocks)
        return shown

    def _message_json(self, message: _Message) -> Payload:
        shown = self._slack_message(message)
        shown["user_name"] = self._name_of(message.user)
        shown["ephemeral"] = message.only_for is not None
        if message.files:
            shown["files"] = [self._file_json(f) for f in message.files]
        if message.replies:
            shown["replies"] = [self._message_json(r) for r in message.replies]
        return shown

    def _file_json(self, file_id: str) -> Payload:
        file = self._files[file_id]
        return {
            "id": file_id,
            "name": file.name,
            "title": file.title,
            "url": f"/sandbox/files/{file_id}",
            "mimetype": file.mimetype,
            "is_image": file.mimetype.startswith("image/"),
        }

    def _name_of(self, user: str) -> str:
        if user == self.slack.bot_user_id:
            return BOT_NAME
        person = self.people.get(user)
        return person.real_name if person else user

    def _view_json(self, view: Payload) -> Payload:
        shown = copy.deepcopy(view)
        shown["errors"] = dict(self._errors.get(str(view.get("id")), {}))
        return shown


def _person_json(person: Person) -> Payload:
    return {
        "id": person.id,
        "name": person.name,
        "real_name": person.real_name,
        "role": person.role,
        "title": person.title,
        "tz": person.tz,
    }


def _ack_body(answer: requests.Response) -> Payload:
    """The ack's body: JSON as Slack reads it, or plain text shown as a message."""
    try:
        body = answer.json()
    except ValueError:
        return {"text": answer.text}
    return body if isinstance(body, dict) else {"text": answer.text}


def _blocks(value: Any) -> list[Payload] | None:
    if isinstance(value, str):
        value = json.loads(value) if value else None
    return list(value) if isinstance(value, list) else None


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def state_for(view: Payload, answers: dict[str, Any]) -> Payload:
    """The view's state with `answers` (by block id) entered, as Slack reports it: a text,
    a date, a user id, an option's value or a list of them, by the kind of field."""
    values: Payload = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        entered = _entered(element, answers.get(block["block_id"]))
        values[block["block_id"]] = {element["action_id"]: {"type": element["type"], **entered}}
    return {"values": values}


def _entered(element: Payload, answer: Any) -> Payload:
    """One field's state: the answer given, else what the field starts with."""
    kind = element["type"]
    if kind == "datepicker":
        return {"selected_date": answer or element.get("initial_date")}
    if kind == "users_select":
        return {"selected_user": answer or element.get("initial_user")}
    if kind == "conversations_select":
        return {"selected_conversation": answer or element.get("initial_conversation")}
    options = [
        option
        for group in element.get("option_groups", [{"options": element.get("options", [])}])
        for option in group["options"]
    ]
    if kind in ("static_select", "radio_buttons"):
        chosen = next((o for o in options if o["value"] == answer), None)
        return {"selected_option": chosen or element.get("initial_option")}
    if kind in ("checkboxes", "multi_static_select"):
        chosen_all = [o for o in options if o["value"] in (answer or [])]
        return {"selected_options": chosen_all or element.get("initial_options", [])}
    return {"value": answer if answer is not None else element.get("initial_value")}
