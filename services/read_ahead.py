"""Reading ahead for a run of look-ups whose keys are known in advance: a chunk of them is read
in one go when the first of them is asked for, instead of one round trip to the database each.

A delivery pass knows the prompts it is about to send; each chunk is read just before its
messages go (a chunk's worth of sends apart), so what they show is as fresh as a read of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from typing import Generic, TypeVar

from db.engine import in_batches

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

CHUNK = 50


class _Chunk(Generic[K, V]):
    def __init__(self, keys: list[K]) -> None:
        self.keys = keys
        self.lock = threading.Lock()
        self.values: dict[K, V] | None = None

    def take(self, key: K, read_many: Callable[[Collection[K]], Mapping[K, V]]) -> V | None:
        with self.lock:  # the others asking for this chunk wait for its one read
            if self.values is None:
                self.values = dict(read_many(self.keys))
            return self.values.pop(key, None)


class ReadAhead(Generic[K, V]):
    """Look-ups, from any thread, of keys expected in a known order. An expected key is served
    once from its chunk's read; any other look-up (or the same key again) reads alone."""

    def __init__(
        self,
        read_many: Callable[[Collection[K]], Mapping[K, V]],
        chunk: int = CHUNK,
    ) -> None:
        self._read_many = read_many
        self._chunk = chunk
        self._lock = threading.Lock()
        self._chunk_of: dict[K, _Chunk[K, V]] = {}

    def expect(self, keys: Iterable[K]) -> None:
        """The keys about to be asked for, in order; whatever was expected before is dropped."""
        ordered = list(dict.fromkeys(keys))
        chunk_of: dict[K, _Chunk[K, V]] = {}
        for keys_of_chunk in in_batches(ordered, self._chunk):
            chunk = _Chunk[K, V](list(keys_of_chunk))
            chunk_of.update((key, chunk) for key in chunk.keys)
        with self._lock:
            self._chunk_of = chunk_of

    def get(self, key: K) -> V | None:
        with self._lock:
            chunk = self._chunk_of.pop(key, None)
        if chunk is None:
            return self._read_many([key]).get(key)
        return chunk.take(key, self._read_many)
