"""A fake Slack Socket Mode endpoint: a real WebSocket server on 127.0.0.1 that sends envelopes."""

from __future__ import annotations

import json
import queue
import threading
import uuid
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve


class FakeSocketMode:
    """Hands each connecting client a hello, then envelopes on request, and collects the acks."""

    def __init__(self) -> None:
        self._server: Server | None = None
        self._connections: queue.Queue[ServerConnection] = queue.Queue()
        self._acks: dict[str, queue.Queue[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._connection: ServerConnection | None = None

    def __enter__(self) -> FakeSocketMode:
        self._server = serve(self._serve, "127.0.0.1", 0)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.shutdown()

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.socket.getsockname()[1]
        return f"ws://127.0.0.1:{port}/link/?ticket=fake"

    def _serve(self, connection: ServerConnection) -> None:
        connection.send(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": {"host": "fake", "approximate_connection_time": 3600},
                    "connection_info": {"app_id": "A0001"},
                }
            )
        )
        self._connections.put(connection)
        try:
            for message in connection:
                ack = json.loads(message)
                with self._lock:
                    waiting = self._acks.get(ack.get("envelope_id", ""))
                if waiting is not None:
                    waiting.put(ack)
        except ConnectionClosed:
            return

    def wait_connected(self, timeout: float = 15.0) -> None:
        self._connection = self._connections.get(timeout=timeout)

    def send(
        self, envelope_type: str, payload: dict[str, Any], timeout: float = 5.0
    ) -> dict[str, Any]:
        """Send one envelope as Slack does and return the client's ack for it."""
        assert self._connection is not None, "call wait_connected() first"
        envelope_id = str(uuid.uuid4())
        waiting: queue.Queue[dict[str, Any]] = queue.Queue()
        with self._lock:
            self._acks[envelope_id] = waiting
        self._connection.send(
            json.dumps(
                {
                    "envelope_id": envelope_id,
                    "type": envelope_type,
                    "payload": payload,
                    "accepts_response_payload": envelope_type != "events_api",
                    "retry_attempt": 0,
                    "retry_reason": "",
                }
            )
        )
        return waiting.get(timeout=timeout)
