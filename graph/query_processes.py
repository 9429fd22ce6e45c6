"""SPARQL evaluation that can be stopped: child processes over a read-only snapshot.

The embedded store cannot interrupt one evaluation step (a big aggregate, a cross
product, a sort): in a thread such a query runs on after its 503 and holds the thread.
Public queries therefore run in worker processes, each with the store opened read-only
from a checkpoint of it (:meth:`graph.store.OxigraphStore.snapshot`, RocksDB hard links,
made again after a write, when the next query comes).  At the time limit the worker is
killed (SIGKILL) and replaced; the client has its 503 and no CPU is spent on the answer.

A worker is one ``spawn``ed Python process (about a second to start).  The server starts
them at start-up (:meth:`QueryProcesses.warm`), else the first query does;
:meth:`QueryProcesses.close` ends them.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from policygraph.core.errors import BadInput, GraphStoreError, PolicygraphError, QueryError, QueryRefused


@dataclass(frozen=True)
class Task:
    snapshot: str
    query: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    base_iri: str | None
    max_results: int | None
    accept: str | None


def _errors() -> dict[str, type[PolicygraphError]]:
    from policygraph.graph.store import ResultTooLarge

    return {c.__name__: c for c in (QueryError, QueryRefused, ResultTooLarge, BadInput, GraphStoreError)}


def _worker(conn: Connection) -> None:
    """A worker's loop: one task in, ``("ok", mime, body)`` or ``("error", class, detail)`` out."""
    from policygraph.graph.execute import answer
    from policygraph.graph.store import Dataset, Limits, OxigraphStore

    stores: dict[str, OxigraphStore] = {}
    while True:
        try:
            task: Task = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        try:
            store = stores.get(task.snapshot)
            if store is None:
                for old in stores.values():
                    old.close()
                stores = {task.snapshot: OxigraphStore.open_read_only(task.snapshot)}
                store = stores[task.snapshot]
            mime, body = answer(store, task.query, task.accept, Dataset(task.default_graphs, task.named_graphs),
                                Limits(None, task.max_results), task.base_iri)
            reply: tuple[str, str, Any] = ("ok", mime, body)
        except PolicygraphError as e:
            reply = ("error", type(e).__name__, e.detail)
        except Exception as e:  # noqa: BLE001 - reported to the parent as a store error
            reply = ("error", "GraphStoreError", f"query failed: {type(e).__name__}")
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


class _Worker:
    def __init__(self, ctx: Any) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child,), name="policygraph-sparql", daemon=True)
        self.proc.start()
        child.close()

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()


class QueryProcesses:
    """A pool of ``size`` worker processes; :meth:`run` blocks its calling thread until
    the answer, the time limit (the worker is killed) or an error."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._ctx = mp.get_context("spawn")
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._started = 0
        self._lock = threading.Lock()
        self._closed = False
        self.killed = 0  # workers killed at the time limit (for tests and logs)

    def _spawn_later(self) -> None:
        """Start a worker in the background (a start takes about a second: not on a
        request's time)."""
        def start() -> None:
            w = _Worker(self._ctx)
            self._give_back(w)

        threading.Thread(target=start, name="policygraph-sparql-spawn", daemon=True).start()

    def warm(self) -> None:
        """Start every worker in the background (the server does at start-up), so no
        query waits for a process to start."""
        with self._lock:
            if self._started or self._closed:
                return
            self._started = self.size
        for _ in range(self.size):
            self._spawn_later()

    def _take(self, deadline: float) -> _Worker:
        with self._lock:
            if self._closed:
                raise GraphStoreError("the query processes are shut down")
            cold = self._started == 0
            if cold:  # the first query: one worker now, the others in the background
                self._started = self.size
        if cold:
            for _ in range(self.size - 1):
                self._spawn_later()
            return _Worker(self._ctx)
        try:
            return self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise TimeoutError from None

    def _give_back(self, w: _Worker) -> None:
        if self._closed:
            w.kill()
        else:
            self._idle.put(w)

    def _replace(self, w: _Worker) -> None:
        w.kill()
        if not self._closed:
            self._spawn_later()

    def run(self, task: Task, timeout_s: float, started: float | None = None) -> tuple[str, bytes]:
        """(media type, body); ``TimeoutError`` at ``timeout_s`` after ``started``
        (waiting for a free worker counts)."""
        deadline = (started if started is not None else time.monotonic()) + timeout_s
        w = self._take(deadline)
        try:
            w.conn.send(task)
            if not w.conn.poll(max(0.0, deadline - time.monotonic())):
                self.killed += 1
                self._replace(w)
                raise TimeoutError
            status, a, b = w.conn.recv()
        except TimeoutError:  # (an OSError: first)
            raise
        except (EOFError, OSError):
            self._replace(w)
            raise GraphStoreError("the query process ended without an answer") from None
        except BaseException:
            self._replace(w)
            raise
        self._give_back(w)
        if status == "ok":
            return a, b
        raise _errors().get(a, GraphStoreError)(b)

    def close(self) -> None:
        with self._lock:
            self._closed = True
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                return
