"""A fake Slack Web API served over real HTTP on 127.0.0.1.

Point ``slack_sdk.WebClient(base_url=fake.url)`` at it, give slash commands a ``response_url``
under ``fake.response_url_base`` and inspect what the bot sent with ``fake.calls()`` /
``fake.wait_for()``. Faults (``ok: false`` errors, HTTP 429 with ``Retry-After``, 5xx) and
latency can be injected per method. Everything is thread-safe.

Paths served:

- ``/api/<method>`` (POST or GET): Web API methods, recorded under ``<method>``. Messages posted
  with ``chat.postMessage`` are kept per channel (a user id posts into that user's ``D…`` channel,
  the one ``conversations.open`` answers) and ``conversations.history`` returns them, with their
  ``metadata`` when ``include_all_metadata`` is set. ``set_clock`` stamps them with a clock
  under the test's control instead of a counter.
- ``/hooks/<anything>`` (POST): response_url / webhook posts, recorded as ``response_url``;
  answered ``200 ok`` (text/plain) like Slack.
- ``/upload/<file_id>`` (POST): the ``upload_url`` handed out by ``files.getUploadURLExternal``,
  recorded as ``file_upload``; answered ``200 OK - <size>``.
- ``/files-pri/<team>-<file_id>/download/<name>`` (GET): a file a person shared (``add_file``),
  as its ``url_private_download`` serves it, recorded as ``file_download``: only with an
  ``Authorization: Bearer`` token, as Slack requires (without, Slack answers its sign-in page).
"""

from __future__ import annotations

import copy
import email.parser
import email.policy
import hashlib
import json
import math
import threading
import time
import zoneinfo
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["Call", "FakeSlack", "Page", "PageRequest", "Reply"]

JSON_FIELDS = ("blocks", "view", "attachments", "files", "metadata")

Payload = dict[str, Any]
PayloadFactory = Callable[["Call"], Payload]
# Serves the paths under a mounted prefix.
Page = Callable[["PageRequest"], "Reply"]
# Told of every Web API call once it is answered: the call and the answer's JSON.
Observer = Callable[["Call", Payload], None]


@dataclass
class Call:
    """One request the fake received.

    ``args`` merges query-string, form and JSON body parameters. Form values stay strings as
    sent (a form ``blocks`` is a JSON string; use :meth:`json`). ``headers`` keys are lower-case.
    ``at`` is ``time.time()`` when the request arrived. ``status`` is the HTTP status answered,
    ``body`` the raw request body and ``path`` the request path.
    """

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    at: float
    status: int = 200
    body: bytes = b""
    path: str = ""

    def json(self, name: str) -> Any:
        """Return ``args[name]`` parsed as JSON if it is a string, else as-is (None if absent)."""
        value = self.args.get(name)
        if isinstance(value, (str, bytes)):
            return json.loads(value)
        return value

    def get(self, name: str, default: Any = None) -> Any:
        """Shortcut for ``args.get``."""
        return self.args.get(name, default)


@dataclass
class _Fault:
    kind: str  # "error" | "ratelimit" | "status"
    error: str = ""
    retry_after: int = 1
    status: int = 200
    only_for: dict[str, Any] = field(default_factory=dict)

    def applies_to(self, args: dict[str, Any]) -> bool:
        return all(args.get(key) == value for key, value in self.only_for.items())


@dataclass
class _RateLimit:
    """Accepted calls in the last second, workspace-wide and per channel."""

    per_second: float | None
    per_channel_per_second: float | None
    accepted: deque[float] = field(default_factory=deque)
    last_by_channel: dict[str, float] = field(default_factory=dict)

    def admit(self, channel: Any, now: float) -> int | None:
        """None when the call may go ahead (and it is counted); else the Retry-After."""
        while self.accepted and self.accepted[0] <= now - 1.0:
            self.accepted.popleft()
        if self.per_second is not None and len(self.accepted) >= self.per_second:
            return max(1, math.ceil(self.accepted[0] + 1.0 - now))
        key = str(channel)
        if self.per_channel_per_second is not None and key in self.last_by_channel:
            free_at = self.last_by_channel[key] + 1.0 / self.per_channel_per_second
            if now < free_at:
                return max(1, math.ceil(free_at - now))
        self.accepted.append(now)
        self.last_by_channel[key] = now
        return None


@dataclass(frozen=True)
class PageRequest:
    verb: str
    path: str
    args: dict[str, Any]  # the query string's
    headers: dict[str, str]  # lower-case names
    body: bytes


@dataclass
class Reply:
    """An HTTP answer: from the Web API, or from a page mounted with `FakeSlack.mount`."""

    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def _json_reply(payload: Payload, status: int = 200, **headers: str) -> Reply:
    return Reply(status, json.dumps(payload).encode("utf-8"), headers=dict(headers))


def _text_reply(text: str, status: int = 200) -> Reply:
    return Reply(status, text.encode("utf-8"), "text/plain; charset=utf-8")


def _flatten_qs(raw: str) -> dict[str, Any]:
    """parse_qs, unwrapping single values (repeated keys stay lists)."""
    parsed = parse_qs(raw, keep_blank_values=True)
    return {k: v[0] if len(v) == 1 else v for k, v in parsed.items()}


def _parse_multipart(body: bytes, content_type: str) -> dict[str, Any]:
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    out: dict[str, Any] = {}
    if not msg.is_multipart():
        return out
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            payload = b""
        if part.get_filename():
            out[str(name)] = payload
        else:
            out[str(name)] = payload.decode(part.get_content_charset() or "utf-8", "replace")
    return out


def _parse_body(body: bytes, content_type: str) -> dict[str, Any]:
    ctype = content_type.split(";", 1)[0].strip().lower()
    if not body:
        return {}
    if ctype == "application/json":
        try:
            data = json.loads(body)
        except ValueError:
            return {"_raw": body.decode("utf-8", "replace")}
        return data if isinstance(data, dict) else {"_json": data}
    if ctype == "multipart/form-data":
        return _parse_multipart(body, content_type)
    if ctype in ("application/x-www-form-urlencoded", ""):
        return _flatten_qs(body.decode("utf-8", "replace"))
    return {"_raw": body.decode("utf-8", "replace")}


def _tz_offset(tz: str) -> int:
    try:
        offset = datetime.now(zoneinfo.ZoneInfo(tz)).utcoffset()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return 0
    return int(offset.total_seconds()) if offset is not None else 0


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true")


def _short_id(prefix: str, seed: str, length: int = 10) -> str:
    return prefix + hashlib.sha1(seed.encode()).hexdigest()[:length].upper()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeSlack/1.0"
    sys_version = ""
    disable_nagle_algorithm = True
    timeout = 60  # idle keep-alive connections are dropped after this
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging."""

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size_line = self.rfile.readline().split(b";", 1)[0].strip()
                size = int(size_line or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _handle(self) -> None:
        body = self._read_body()
        reply = self.server.fake._dispatch(self.command, self.path, dict(self.headers), body)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            try:
                self.wfile.write(reply.body)
            except ConnectionError:  # the client left, e.g. a page closed mid long poll
                self.close_connection = True

    do_POST = _handle
    do_GET = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 512
    allow_reuse_address = True
    fake: FakeSlack


class FakeSlack:
    """Fake Slack Web API on ``127.0.0.1:<ephemeral port>``; use as a context manager."""

    def __init__(
        self,
        *,
        team_id: str = "T0001",
        team: str = "Fake Team",
        team_domain: str = "fake-team",
        bot_user_id: str = "UBOT",
        bot_id: str = "B0001",
        bot_name: str = "alliance",
        app_id: str = "A0001",
        require_auth: bool = False,
        port: int = 0,
    ) -> None:
        """Configure the fake; ``require_auth`` answers ``not_authed`` when no token is sent;
        ``port`` 0 takes any free one."""
        self.team_id = team_id
        self.team = team
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.app_id = app_id
        self.require_auth = require_auth
        self._port = port

        self._lock = threading.RLock()  # re-entrant: set_response callables may query the fake
        self._cond = threading.Condition(self._lock)
        self._calls: list[Call] = []
        self._answered: Counter[tuple[str, int]] = Counter()  # (method, status) -> calls
        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._latency: dict[str | None, float] = {}
        self._limits: dict[str, _RateLimit] = {}
        self._overrides: dict[str, Payload | PayloadFactory] = {}
        self._users: dict[str, Payload] = {}
        self._user_by_email: dict[str, str] = {}  # as users.lookupByEmail finds them
        self._dms: dict[str, str] = {}
        self._uploads: dict[str, Payload] = {}
        self._shared_files: dict[str, tuple[Payload, bytes]] = {}
        self._history: dict[str, list[Payload]] = defaultdict(list)  # channel -> oldest first
        self._clock: Callable[[], float] | None = None
        self._last_ts_micros = 0
        self._counter = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._builder_map = self._builders()
        self._observers: list[Observer] = []
        self._pages: dict[str, Page] = {}

        self.add_user(
            bot_user_id, name=bot_name, real_name=bot_name.title(), is_bot=True, team_id=team_id
        )

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> FakeSlack:
        """Start serving in a daemon thread (idempotent)."""
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", self._port), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"FakeSlack:{server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The listening port."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return int(self._server.server_address[1])

    @property
    def base(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """Base URL for ``WebClient(base_url=...)``, ending with ``/api/``."""
        return f"{self.base}/api/"

    @property
    def response_url_base(self) -> str:
        """Prefix for response_url hooks, ending with ``/hooks/``."""
        return f"{self.base}/hooks/"

    def response_url(self, name: str = "commands/T0001/1/x") -> str:
        """A response_url under :attr:`response_url_base`."""
        return self.response_url_base + name.lstrip("/")

    # ------------------------------------------------------------------ users
    def add_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        real_name: str | None = None,
        tz: str = "Europe/London",
        tz_offset: int | None = None,
        is_bot: bool = False,
        deleted: bool = False,
        team_id: str = "T0001",
        display_name: str | None = None,
        email: str | None = None,
        tz_label: str | None = None,
    ) -> Payload:
        """Register a user for ``users.info`` / ``users.list``; returns the user object.

        ``tz_offset`` defaults to the current UTC offset of ``tz`` (0 for Europe/London in winter).
        """
        name = name or user_id.lower()
        real_name = real_name if real_name is not None else name.title()
        display_name = display_name if display_name is not None else name
        profile: Payload = {
            "real_name": real_name,
            "real_name_normalized": real_name,
            "display_name": display_name,
            "display_name_normalized": display_name,
            "team": team_id,
            "image_72": f"https://avatars.example.invalid/{user_id}_72.png",
        }
        if email is not None:
            profile["email"] = email
        user: Payload = {
            "id": user_id,
            "team_id": team_id,
            "name": name,
            "real_name": real_name,
            "deleted": deleted,
            "is_bot": is_bot,
            "is_app_user": False,
            "is_admin": False,
            "is_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "tz": tz,
            "tz_label": tz_label or tz,
            "tz_offset": _tz_offset(tz) if tz_offset is None else tz_offset,
            "profile": profile,
            "updated": 1700000000,
        }
        if is_bot:
            profile["bot_id"] = (
                self.bot_id if user_id == self.bot_user_id else _short_id("B", user_id)
            )
        with self._lock:
            self._users[user_id] = user
            if email is not None:
                self._user_by_email[email.lower()] = user_id
        return copy.deepcopy(user)

    def remove_user(self, user_id: str) -> None:
        """Forget a user (users.info then answers ``user_not_found``)."""
        with self._lock:
            user = self._users.pop(user_id, None)
            email = str(((user or {}).get("profile") or {}).get("email") or "").lower()
            self._user_by_email.pop(email, None)

    # ------------------------------------------------------------------ fault injection
    # Each takes ``only_for``: the fault hits only calls whose args include these values (so
    # background work left over from another test cannot take it).
    def fail_next(
        self, method: str, error: str = "account_inactive", times: int = 1, **only_for: Any
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with ``{"ok": false, "error": error}``.

        For ``response_url`` this answers HTTP 404 with ``error`` as the text body.
        """
        self._add_fault(method, _Fault("error", error=error, only_for=only_for), times)

    def rate_limit_next(
        self, method: str, retry_after: int = 1, times: int = 1, **only_for: Any
    ) -> None:
        """Answer the next ``times`` calls with HTTP 429, ``Retry-After`` and ``ratelimited``."""
        fault = _Fault("ratelimit", retry_after=retry_after, only_for=only_for)
        self._add_fault(method, fault, times)

    def server_error_next(
        self, method: str, status: int = 503, times: int = 1, **only_for: Any
    ) -> None:
        """Answer the next ``times`` calls with HTTP ``status`` and a short text body."""
        self._add_fault(method, _Fault("status", status=status, only_for=only_for), times)

    def _add_fault(self, method: str, fault: _Fault, times: int) -> None:
        with self._lock:
            self._faults[method].extend(copy.copy(fault) for _ in range(times))

    def _take_fault(self, method: str, args: dict[str, Any]) -> _Fault | None:
        """The first queued fault of ``method`` that applies to these args, taken off the queue."""
        queue = self._faults.get(method)
        for fault in list(queue or ()):
            if fault.applies_to(args):
                assert queue is not None
                queue.remove(fault)
                return fault
        return None

    def clear_faults(self) -> None:
        """Drop every pending fault, rate limit and latency setting."""
        with self._lock:
            self._faults.clear()
            self._latency.clear()
            self._limits.clear()

    def set_latency(self, method: str | None, seconds: float) -> None:
        """Sleep ``seconds`` before answering ``method`` (None = every method; 0 removes)."""
        with self._lock:
            if seconds <= 0:
                self._latency.pop(method, None)
            else:
                self._latency[method] = seconds

    def limit_rate(
        self,
        method: str,
        *,
        per_second: float | None = None,
        per_channel_per_second: float | None = None,
    ) -> None:
        """Enforce Slack-like limits on ``method``: calls beyond ``per_second`` in any one-second
        window, or closer than ``1 / per_channel_per_second`` to the last accepted call to the
        same channel, get HTTP 429 with ``Retry-After`` (whole seconds, at least 1)."""
        with self._lock:
            self._limits[method] = _RateLimit(per_second, per_channel_per_second)

    def set_response(self, method: str, payload: Payload | PayloadFactory | None) -> None:
        """Override the success payload of ``method`` (dict or ``f(call) -> dict``; None resets).

        ``"ok": true`` is added unless the payload sets ``ok`` itself.
        """
        with self._lock:
            if payload is None:
                self._overrides.pop(method, None)
            else:
                self._overrides[method] = payload

    # ------------------------------------------------------------------ queries
    def calls(self, method: str | None = None) -> list[Call]:
        """Recorded calls, oldest first, optionally of one method."""
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def answered(self, method: str, status: int = 200) -> int:
        """How many calls of ``method`` were answered with ``status``, without copying them."""
        with self._lock:
            return self._answered[method, status]

    def last(self, method: str | None = None) -> Call:
        """The most recent call (of ``method``); AssertionError if none."""
        found = self.calls(method)
        if not found:
            raise AssertionError(f"no {method or 'API'} call recorded; got {self._summary()}")
        return found[-1]

    def add_file(
        self, name: str, content: bytes, *, user: str = "U0001", mimetype: str = "text/csv"
    ) -> Payload:
        """A file `user` shared, as Slack's file object (what a ``file_share`` message event
        and ``files.info`` carry); its content is served at its ``url_private_download``."""
        with self._lock:
            self._counter += 1
            file_id = f"F{self._counter:08d}"
            url = f"{self.base}/files-pri/T0001-{file_id}"
            shared: Payload = {
                "id": file_id,
                "name": name,
                "title": name,
                "mimetype": mimetype,
                "filetype": name.rsplit(".", 1)[-1].lower() if "." in name else "text",
                "size": len(content),
                "user": user,
                "url_private": f"{url}/{name}",
                "url_private_download": f"{url}/download/{name}",
            }
            self._shared_files[file_id] = (shared, content)
            return copy.deepcopy(shared)

    def clear(self) -> None:
        """Forget recorded calls and posted messages (faults, overrides and users stay)."""
        with self._lock:
            self._calls.clear()
            self._answered.clear()
            self._history.clear()

    def messages(self, channel: str) -> list[Payload]:
        """Messages posted to ``channel`` (a ``D…`` id for a DM), oldest first, as stored."""
        with self._lock:
            return copy.deepcopy(self._history.get(channel, []))

    def dm_channel(self, user_id: str) -> str:
        """The bot's DM channel with ``user_id``, as ``conversations.open`` answers it."""
        with self._lock:
            return self._dm_for(user_id)

    def set_clock(self, clock: Callable[[], float] | None) -> None:
        """Stamp new messages with ``clock()`` (seconds since the epoch), kept unique and
        increasing; None goes back to the counter that starts at 1700000000."""
        with self._lock:
            self._clock = clock

    def observe(self, observer: Observer) -> None:
        """Call ``observer`` with every Web API, response_url and upload call once answered,
        in the order answered (while the fake's lock is held: keep it quick)."""
        with self._lock:
            self._observers.append(observer)

    def mount(self, prefix: str, page: Page) -> None:
        """Serve every path starting with ``prefix`` (``/`` for the rest) with ``page``."""
        self._pages[prefix] = page

    def record_message(self, channel: str, message: Payload) -> None:
        """Keep a message a person sent, for ``conversations.history``."""
        with self._lock:
            self._history[channel].append(copy.deepcopy(message))

    def wait_for(self, method: str | None, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until at least ``count`` calls of ``method`` were recorded; return them all."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self._calls if method is None or c.method == method]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"timed out after {timeout:.1f}s waiting for {count} call(s) of "
                        f"{method or 'any method'}; got {len(found)}. "
                        f"Recorded: {self._summary_locked()}"
                    )
                self._cond.wait(remaining)

    def _summary(self) -> str:
        with self._lock:
            return self._summary_locked()

    def _summary_locked(self) -> str:
        counts: dict[str, int] = {}
        for c in self._calls:
            counts[c.method] = counts.get(c.method, 0) + 1
        return ", ".join(f"{m} x{n}" for m, n in counts.items()) or "nothing"

    def __iter__(self) -> Iterator[Call]:
        return iter(self.calls())

    # ------------------------------------------------------------------ dispatch
    def _dispatch(self, verb: str, raw_path: str, headers: dict[str, str], body: bytes) -> Reply:
        arrived = time.time()
        parts = urlsplit(raw_path)
        path = parts.path
        lower_headers = {k.lower(): v for k, v in headers.items()}
        args: dict[str, Any] = _flatten_qs(parts.query) if parts.query else {}
        args.update(_parse_body(body, lower_headers.get("content-type", "")))

        if path.startswith("/api/") and len(path) > 5:
            method, kind = path[5:].strip("/"), "api"
        elif path.startswith("/hooks/"):
            method, kind = "response_url", "hook"
        elif path.startswith("/upload/"):
            method, kind = "file_upload", "upload"
            args.setdefault("file_id", path[len("/upload/") :])
            args["size"] = len(body)
        elif path.startswith("/files-pri/"):
            return self._download(path, lower_headers, arrived)
        else:
            page = self._page_for(path)
            if page is None:
                return _text_reply("not found", 404)
            query = _flatten_qs(parts.query) if parts.query else {}
            return page(PageRequest(verb, path, query, lower_headers, body))
        if kind != "api" and verb != "POST":
            return _text_reply("method not allowed", 405)

        call = Call(method, args, lower_headers, arrived, 200, body, path)
        with self._cond:
            limit = self._limits.get(method)
            wait = None if limit is None else limit.admit(args.get("channel"), time.monotonic())
            fault = (
                _Fault("ratelimit", retry_after=wait) if wait else self._take_fault(method, args)
            )
            delay = self._latency.get(method, self._latency.get(None, 0.0))
            override = self._overrides.get(method)
            if fault is None and kind == "api":
                reply = self._api_reply(method, call, override)
            elif fault is None:
                reply = _text_reply("ok" if kind == "hook" else f"OK - {len(body)}")
            else:
                reply = self._fault_reply(fault, kind)
            call.status = reply.status
            self._calls.append(call)
            self._answered[method, reply.status] += 1
            if self._observers and reply.status == 200:
                answer = json.loads(reply.body) if kind == "api" else {}
                for observer in self._observers:
                    observer(call, answer)
            self._cond.notify_all()
        if delay > 0:
            time.sleep(delay)
        return reply

    def _page_for(self, path: str) -> Page | None:
        matches = [prefix for prefix in self._pages if path.startswith(prefix)]
        return self._pages[max(matches, key=len)] if matches else None

    @staticmethod
    def _fault_reply(fault: _Fault, kind: str) -> Reply:
        if fault.kind == "ratelimit":
            if kind != "api":
                return _text_reply("rate_limited", 429)
            return _json_reply(
                {"ok": False, "error": "ratelimited"},
                429,
                **{"Retry-After": str(fault.retry_after)},
            )
        if fault.kind == "status":
            return _text_reply(f"{fault.status} fake server error", fault.status)
        if kind != "api":
            return _text_reply(fault.error, 404)
        return _json_reply({"ok": False, "error": fault.error})

    # Runs with self._lock held.
    def _api_reply(
        self,
        method: str,
        call: Call,
        override: Payload | PayloadFactory | None,
    ) -> Reply:
        if self.require_auth and not (
            call.headers.get("authorization", "").startswith("Bearer ") or call.args.get("token")
        ):
            return _json_reply({"ok": False, "error": "not_authed"})
        if override is not None:
            payload = override(call) if callable(override) else copy.deepcopy(override)
            return _json_reply({"ok": True, **payload})
        builder = self._builder_map.get(method)
        if builder is None:
            return _json_reply({"ok": False, "error": "unknown_method"})
        try:
            return _json_reply(builder(call.args))
        except (TypeError, ValueError, AttributeError) as exc:  # bad input, e.g. a cursor
            return _json_reply({"ok": False, "error": "invalid_arguments", "detail": str(exc)})

    def _builders(self) -> dict[str, Callable[[dict[str, Any]], Payload]]:
        return {
            "api.test": lambda a: {"ok": True, "args": a},
            "auth.test": self._auth_test,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "users.lookupByEmail": self._users_lookup_by_email,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": lambda a: {"ok": True, "message_ts": self._next_ts()},
            "chat.update": self._chat_update,
            "chat.delete": lambda a: {"ok": True, "channel": a.get("channel"), "ts": a.get("ts")},
            "chat.scheduleMessage": self._chat_schedule_message,
            "chat.deleteScheduledMessage": lambda a: {"ok": True},
            "chat.getPermalink": self._chat_get_permalink,
            "views.publish": lambda a: self._view(a, "home"),
            "views.open": lambda a: self._view(a, "modal"),
            "views.update": lambda a: self._view(a, "modal"),
            "views.push": lambda a: self._view(a, "modal"),
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "conversations.invite": self._conversations_invite,
            "conversations.inviteShared": self._conversations_invite_shared,
            "conversations.info": lambda a: {"ok": True, "channel": self._channel(a)},
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.info": self._files_info,
            "files.completeUploadExternal": self._files_complete_upload,
        }

    def _next_ts(self) -> str:
        self._counter += 1
        if self._clock is None:
            micros = self._counter * 100
            return f"{1700000000 + micros // 1_000_000}.{micros % 1_000_000:06d}"
        now = max(round(self._clock() * 1_000_000), self._last_ts_micros + 1)
        self._last_ts_micros = now
        return f"{now // 1_000_000}.{now % 1_000_000:06d}"

    @staticmethod
    def _decoded(args: dict[str, Any], name: str) -> Any:
        value = args.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    def _auth_test(self, args: dict[str, Any]) -> Payload:
        return {
            "ok": True,
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _users_info(self, args: dict[str, Any]) -> Payload:
        user = self._users.get(str(args.get("user", "")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": copy.deepcopy(user)}

    def _users_lookup_by_email(self, args: dict[str, Any]) -> Payload:
        user = self._users.get(self._user_by_email.get(str(args.get("email", "")).lower(), ""))
        if user is None:
            return {"ok": False, "error": "users_not_found"}
        return {"ok": True, "user": copy.deepcopy(user)}

    def _users_list(self, args: dict[str, Any]) -> Payload:
        members = list(self._users.values())
        start = int(str(args.get("cursor") or "0").removeprefix("dXNlcjo") or 0)
        limit = int(args.get("limit") or 0)
        end = len(members) if limit <= 0 else min(len(members), start + limit)
        next_cursor = f"dXNlcjo{end}" if end < len(members) else ""
        return {
            "ok": True,
            "members": copy.deepcopy(members[start:end]),
            "cache_ts": int(time.time()),
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _message(self, args: dict[str, Any], ts: str) -> Payload:
        message: Payload = {
            "type": "message",
            "subtype": "bot_message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "text": args.get("text", ""),
            "ts": ts,
        }
        for name in ("blocks", "attachments", "metadata"):
            if args.get(name) is not None:
                message[name] = self._decoded(args, name)
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        return message

    def _chat_post_message(self, args: dict[str, Any]) -> Payload:
        ts = self._next_ts()
        channel = str(args.get("channel", ""))
        if channel.startswith(("U", "W")):
            channel = self._dm_for(channel)
        message = self._message(args, ts)
        self._history[channel].append(copy.deepcopy(message))
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _conversations_history(self, args: dict[str, Any]) -> Payload:
        channel = str(args.get("channel", ""))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        inclusive = _truthy(args.get("inclusive"))
        oldest = float(args.get("oldest") or 0)
        latest = float(args["latest"]) if args.get("latest") else None

        def in_range(message: Payload) -> bool:
            ts = float(message["ts"])
            after = ts >= oldest if inclusive else ts > oldest
            before = latest is None or (ts <= latest if inclusive else ts < latest)
            return after and before

        found = [m for m in reversed(self._history.get(channel, [])) if in_range(m)]
        start = int(str(args.get("cursor") or "0").removeprefix("aGlzdDo") or 0)
        limit = int(args.get("limit") or 100)
        page = copy.deepcopy(found[start : start + limit])
        if not _truthy(args.get("include_all_metadata")):
            for message in page:
                message.pop("metadata", None)
        more = start + limit < len(found)
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "pin_count": 0,
            "response_metadata": {"next_cursor": f"aGlzdDo{start + limit}" if more else ""},
        }

    def _chat_update(self, args: dict[str, Any]) -> Payload:
        ts = str(args.get("ts", ""))
        message = self._message(args, ts)
        return {
            "ok": True,
            "channel": args.get("channel"),
            "ts": ts,
            "text": args.get("text", ""),
            "message": message,
        }

    def _chat_schedule_message(self, args: dict[str, Any]) -> Payload:
        self._counter += 1
        post_at = int(args.get("post_at") or 0)
        return {
            "ok": True,
            "channel": args.get("channel"),
            "scheduled_message_id": f"Q{self._counter:08d}",
            "post_at": post_at,
            "message": self._message(args, str(post_at)),
        }

    def _chat_get_permalink(self, args: dict[str, Any]) -> Payload:
        ts = str(args.get("message_ts", "")).replace(".", "")
        return {
            "ok": True,
            "channel": args.get("channel"),
            "permalink": f"https://{self.team_domain}.slack.com/archives/"
            f"{args.get('channel')}/p{ts}",
        }

    def _view(self, args: dict[str, Any], default_type: str) -> Payload:
        view = self._decoded(args, "view")
        view = dict(view) if isinstance(view, dict) else {}
        self._counter += 1
        view_id = str(args.get("view_id") or f"V{self._counter:08d}")
        result: Payload = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view.get("type", default_type),
            "title": view.get("title"),
            "submit": view.get("submit"),
            "close": view.get("close"),
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": args.get("external_id") or view.get("external_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{self._counter:08d}",
            "clear_on_close": view.get("clear_on_close", False),
            "notify_on_close": view.get("notify_on_close", False),
            "root_view_id": view_id,
            "previous_view_id": None,
            "app_id": self.app_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        return {"ok": True, "view": result}

    def _dm_for(self, user_ids: str) -> str:
        key = ",".join(sorted(u.strip() for u in user_ids.split(",") if u.strip()))
        return self._dms.setdefault(key, _short_id("D", key))

    def _conversations_open(self, args: dict[str, Any]) -> Payload:
        if args.get("channel"):
            return {
                "ok": True,
                "no_op": True,
                "already_open": True,
                "channel": {"id": args["channel"]},
            }
        users = str(args.get("users", ""))
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        key = ",".join(sorted(u.strip() for u in users.split(",") if u.strip()))
        existed = key in self._dms
        channel = {"id": self._dm_for(users)}
        if existed:
            return {"ok": True, "no_op": True, "already_open": True, "channel": channel}
        return {"ok": True, "channel": channel}

    def _channel(self, args: dict[str, Any]) -> Payload:
        channel_id = str(args.get("channel", ""))
        return {
            "id": channel_id,
            "name": channel_id.lower(),
            "is_channel": channel_id.startswith("C"),
            "is_group": False,
            "is_im": channel_id.startswith("D"),
            "is_private": channel_id.startswith("G"),
            "is_archived": False,
            "is_member": True,
            "created": 1700000000,
            "creator": self.bot_user_id,
        }

    def _conversations_invite(self, args: dict[str, Any]) -> Payload:
        if not args.get("users"):
            return {"ok": False, "error": "no_user"}
        return {"ok": True, "channel": self._channel(args)}

    def _conversations_invite_shared(self, args: dict[str, Any]) -> Payload:
        """A Slack Connect invitation by email or user id, as Slack answers it."""
        if not (args.get("emails") or args.get("user_ids")):
            return {"ok": False, "error": "no_user"}
        self._counter += 1
        return {"ok": True, "invite_id": f"I{self._counter:08d}", "is_legacy_shared_channel": False}

    def _download(self, path: str, headers: dict[str, str], arrived: float) -> Reply:
        file_id = path.split("/")[2].split("-", 1)[-1]
        with self._cond:
            found = self._shared_files.get(file_id)
            authorized = headers.get("authorization", "").startswith("Bearer ")
            status = 200 if found and authorized else 302 if found else 404
            self._calls.append(Call("file_download", {"file": file_id}, headers, arrived, status))
            self._cond.notify_all()
        if found is None:
            return _text_reply("not found", 404)
        if not authorized:  # Slack redirects to its sign-in page
            return Reply(302, b"", "text/html", {"Location": f"{self.base}/signin"})
        shared, content = found
        return Reply(200, content, str(shared["mimetype"]))

    def _files_info(self, args: dict[str, Any]) -> Payload:
        with self._lock:
            found = self._shared_files.get(str(args.get("file") or ""))
        if found is None:
            return {"ok": False, "error": "file_not_found"}
        return {"ok": True, "file": copy.deepcopy(found[0])}

    def _files_get_upload_url(self, args: dict[str, Any]) -> Payload:
        self._counter += 1
        file_id = f"F{self._counter:08d}"
        self._uploads[file_id] = {"filename": args.get("filename"), "length": args.get("length")}
        return {"ok": True, "upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, args: dict[str, Any]) -> Payload:
        files = self._decoded(args, "files") or []
        out = []
        for f in files if isinstance(files, list) else []:
            meta = self._uploads.get(str(f.get("id")), {})
            out.append(
                {
                    "id": f.get("id"),
                    "title": f.get("title") or meta.get("filename"),
                    "name": meta.get("filename"),
                    "size": int(meta.get("length") or 0),
                }
            )
        channel = str(args.get("channel_id") or "")
        if channel and out:  # shared: a message carrying the files, the comment as its text
            message = self._message({"text": args.get("initial_comment") or ""}, self._next_ts())
            message["files"] = copy.deepcopy(out)
            if args.get("thread_ts"):
                message["thread_ts"] = args["thread_ts"]
            self._history[channel].append(message)
        return {"ok": True, "files": out}
