"""Gunicorn's workers each count their own requests, and a scrape of /metrics reaches one of
them. With more than one worker, they keep their figures in files of a folder they share
(prometheus-client's multiprocess mode), and whichever answers adds them all up."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

FOLDER_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"  # prometheus-client reads it when first imported


@contextmanager
def metrics_shared_by(workers: int) -> Iterator[None]:
    """For a server of `workers` processes: with more than one, a fresh folder for their
    figures (unless the operator named one), removed when the server stops. To be entered
    before prometheus-client is imported."""
    if workers == 1 or os.environ.get(FOLDER_VARIABLE):
        yield
        return
    if "prometheus_client" in sys.modules:
        raise RuntimeError("prometheus_client was imported before its folder was chosen")
    with tempfile.TemporaryDirectory(prefix="alliance-metrics-") as folder:
        os.environ[FOLDER_VARIABLE] = folder
        try:
            yield
        finally:
            del os.environ[FOLDER_VARIABLE]


def forget_worker(pid: int) -> None:
    """A worker has exited: its figures of processes alive (whether it delivers) go."""
    if os.environ.get(FOLDER_VARIABLE):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
