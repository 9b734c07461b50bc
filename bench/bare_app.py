"""A bare Bolt app with one trivial `/alliance` command, served like the bot (gunicorn gthread)."""

from __future__ import annotations

import os
from typing import Any

from gunicorn.app.base import BaseApplication
from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient


def create_app(signing_secret: str, slack_api_url: str, token: str) -> App:
    app = App(
        client=WebClient(token=token, base_url=slack_api_url),
        signing_secret=signing_secret,
        token_verification_enabled=False,
        process_before_response=True,
    )

    @app.command("/alliance")
    def alliance(ack: Ack) -> None:
        ack("ok")

    return app


class BareServer(BaseApplication):  # type: ignore[misc]
    """Gunicorn configured as bot.serve.HttpServer configures it, serving the bare app."""

    def __init__(self, environ: dict[str, str]) -> None:
        self.environ = environ
        super().__init__()

    def load_config(self) -> None:
        config = {
            "bind": f"0.0.0.0:{self.environ['PORT']}",
            "workers": int(self.environ.get("WEB_CONCURRENCY") or 1),
            "worker_class": "gthread",
            "threads": int(self.environ.get("ALLIANCE_WEB_THREADS") or 32),
            "graceful_timeout": 8,
            "timeout": 30,
            "keepalive": 75,
            "loglevel": (self.environ.get("LOG_LEVEL") or "info").lower(),
            "proc_name": "bare-bolt",
            "control_socket_disable": True,
        }
        for key, value in config.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        app = create_app(
            self.environ["SLACK_SIGNING_SECRET"],
            self.environ["SLACK_API_URL"],
            self.environ.get("SLACK_BOT_TOKEN") or "xoxb-bare-bench",
        )
        return SlackRequestHandler(app)


if __name__ == "__main__":
    BareServer(dict(os.environ)).run()
