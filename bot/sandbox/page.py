"""The sandbox's web page: static files from the package, and a JSON API over the workspace.

`GET /sandbox/state?as=U&after=N` answers what person U sees once the workspace has changed
since version N (a long poll); `POST /sandbox/act` does what a person did; files the bot
uploaded download from `/sandbox/files/<id>`. Everything is served by the stand-in on
127.0.0.1, and the page loads nothing from anywhere else.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from typing import Any

from bot.sandbox.fake_slack import FakeSlack, PageRequest, Reply
from bot.sandbox.workspace import SandboxError, Workspace

LONG_POLL_SECONDS = 20
LOCAL_HOSTS = ("127.0.0.1", "localhost")
STATIC = resources.files("bot.sandbox") / "static"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}
# The page may load its own scripts, styles and images, and talk to this server, only.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}

Travel = Callable[[datetime], None]


class SandboxPage:
    def __init__(self, workspace: Workspace, travel: Travel, default_person: str) -> None:
        self.workspace = workspace
        self.travel = travel
        self.default_person = default_person

    def mount(self, slack: FakeSlack) -> None:
        slack.mount("/", self.serve)

    def serve(self, request: PageRequest) -> Reply:
        verb, path = request.verb, request.path
        # Only this machine's names: a page elsewhere cannot rebind its own to reach us.
        if request.headers.get("host", "").rsplit(":", 1)[0] not in LOCAL_HOSTS:
            return Reply(421, b"Misdirected Request", "text/plain; charset=utf-8")
        if verb == "GET" and path in ("/", "/index.html"):
            return _static("index.html")
        if verb == "GET" and path.startswith("/static/"):
            return _static(path.removeprefix("/static/"))
        if verb == "GET" and path == "/sandbox/state":
            return self._state(request.args)
        if verb == "GET" and path.startswith("/sandbox/files/"):
            return self._file(path.removeprefix("/sandbox/files/"))
        if verb == "POST" and path == "/sandbox/act":
            return self._act(request)
        return Reply(404, b"Not Found", "text/plain; charset=utf-8")

    def _state(self, args: dict[str, Any]) -> Reply:
        user = str(args.get("as") or self.default_person)
        after = int(str(args.get("after") or "-1").lstrip("+") or -1)
        self.workspace.wait_for_change(after, LONG_POLL_SECONDS)
        try:
            return _json(self.workspace.seen_by(user))
        except SandboxError as error:
            return _json({"ok": False, "error": str(error)}, 404)

    def _file(self, file_id: str) -> Reply:
        found = self.workspace.file(file_id)
        if found is None:
            return Reply(404, b"Not Found", "text/plain; charset=utf-8")
        name, mimetype, content = found
        disposition = "inline" if mimetype.startswith("image/") else "attachment"
        headers = {**SECURITY_HEADERS, "Content-Disposition": f'{disposition}; filename="{name}"'}
        return Reply(200, content, mimetype, headers)

    def _act(self, request: PageRequest) -> Reply:
        # JSON only: another site's page cannot send that without the browser asking first.
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return _json({"ok": False, "error": "Send the act as application/json."}, 415)
        try:
            act = json.loads(request.body)
            if not isinstance(act, dict):
                raise ValueError("an act is a JSON object")
            self._do(act)
        except SandboxError as error:
            return _json({"ok": False, "error": str(error)})
        except (KeyError, TypeError, ValueError) as error:
            return _json({"ok": False, "error": f"That request is not one I know: {error}"}, 400)
        return _json({"ok": True})

    def _do(self, act: dict[str, Any]) -> None:
        kind, user = act.get("kind"), str(act.get("as") or self.default_person)
        space = self.workspace
        if kind == "command":
            space.command(user, str(act.get("channel") or space.dm_of(user)), str(act["text"]))
        elif kind == "message":
            space.say(user, str(act["channel"]), str(act["text"]))
        elif kind == "action":
            space.press(user, act["container"], act["action"], act.get("state"))
        elif kind == "submit":
            space.submit(user, str(act["view_id"]), act["state"])
        elif kind == "close":
            space.close(user, str(act["view_id"]))
        elif kind == "open_home":
            space.open_home(user)
        elif kind == "clock":
            self.travel(_destination(act, space.clock()))
        else:
            raise SandboxError(f"I don't know how to do {kind!r}.")


def _destination(act: dict[str, Any], now: datetime) -> datetime:
    """Where a clock move goes: so many seconds on, or 09:00 UTC on a later date."""
    if "advance_seconds" in act:
        seconds = float(act["advance_seconds"])
        if not 0 < seconds <= 366 * 86400:
            raise SandboxError("Move the clock forward, by a year at most.")
        return now + timedelta(seconds=seconds)
    try:
        day = date.fromisoformat(str(act["to"]))
    except ValueError as error:
        raise SandboxError("Give the date as YYYY-MM-DD.") from error
    moment = datetime.combine(day, time(9), tzinfo=UTC)
    if moment <= now:
        raise SandboxError("The clock only moves forward: choose a later date.")
    if moment - now > timedelta(days=366):
        raise SandboxError("Jump a year ahead at most.")
    return moment


def _static(name: str) -> Reply:
    file = STATIC / name
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    if "/" in name or ".." in name or suffix not in CONTENT_TYPES or not file.is_file():
        return Reply(404, b"Not Found", "text/plain; charset=utf-8")
    return Reply(200, file.read_bytes(), CONTENT_TYPES[suffix], dict(SECURITY_HEADERS))


def _json(payload: dict[str, Any], status: int = 200) -> Reply:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Reply(status, body, "application/json; charset=utf-8", dict(SECURITY_HEADERS))
