"""A folder ingest prepared on a Ray cluster (``policygraph ingest … --cluster ADDRESS``).

Parsing and embedding are independent per document, so they scale out: a pool of Ray
actors, one per CPU the cluster offers, each loading GiNZA, the embedder and the sparse
encoder once (:class:`WorkerModels`), runs :func:`policygraph.service.prepare.prepare_documents`
(analyse → document graph → SHACL → index items with their vectors) on one batch of
documents at a time.  This process stays the one writer:

* it reads the files (it holds them) in the local path's batches, with the same result
  for a file it cannot read, and ships only the documents whose version the store does
  not hold (an interrupted run resumes without parsing again what it finished);
* at most two batches per worker are unfinished at once (one running, the next queued),
  and at most twice that many sent and not yet committed (back-pressure: reading waits
  for the cluster, so memory stays bounded); a batch finished before an earlier one
  waits for it without keeping its worker idle;
* each batch is committed as soon as it and every batch before it are back
  (:meth:`WritePipeline.commit`: the version check again, then index upsert → graph swap
  → publish → delete old points, with the failpoints), in the order read — the same
  writes, in the same order, as the local path.

The address is the one ``ray start --head`` prints (``host:port``, for a process on a
machine of the cluster) or ``ray://host:10001`` (Ray Client, from anywhere).  Ray is
imported only here, when a cluster is asked for.
"""

from __future__ import annotations

import logging
import os
import resource
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from policygraph.core.errors import BadInput, PolicygraphError
from policygraph.service.prepare import PreparedDocument, prepare_documents
from policygraph.service.writes import Step

if TYPE_CHECKING:
    from policygraph.core.records import SourceDocument
    from policygraph.core.settings import Settings
    from policygraph.service.writes import WritePipeline

log = logging.getLogger("policygraph")
CONNECT_TIMEOUT_S = 60.0  # a port that answers but is no Ray cluster: say so instead of waiting
START_TIMEOUT_S = 600.0  # the workers load their models (GiNZA, the embedder)
BATCHES_PER_WORKER = 2  # batches out at once per worker: one running, one queued
_DRIVING = threading.Lock()  # Ray has one driver connection per process: one cluster ingest at a time


class ClusterUnavailable(PolicygraphError):
    """The Ray cluster cannot be reached, or a worker of it failed (nothing half-written:
    the batches committed before stay, and running the ingest again resumes)."""

    status = 503
    title = "Ray cluster unavailable"


@dataclass(frozen=True)
class WorkerConfig:
    """The settings the workers make their models from: the driver's own, so both derive
    the same graph and vectors from the same document."""

    base_iri: str
    embedding_model: str
    query_prefix: str
    passage_prefix: str
    ginza_model: str
    ginza_batch_size: int
    ginza_exclude: tuple[str, ...]
    models_dir: Path | None
    embedding_precision: Literal["auto", "fp32", "bf16"] = "auto"
    embedding_windows: bool = True

    @classmethod
    def of(cls, s: Settings) -> WorkerConfig:
        return cls(s.base_iri, s.embedding_model, s.query_prefix, s.passage_prefix, s.ginza_model,
                   s.ginza_batch_size, tuple(s.ginza_exclude), s.models_dir, s.embedding_precision,
                   s.embedding_windows)


class WorkerModels:
    """A worker's models (:class:`policygraph.service.prepare.Models`), loaded once: GiNZA in
    the worker's own process (it has one CPU), the embedder, the sparse encoder."""

    def __init__(self, cfg: WorkerConfig) -> None:
        from policygraph.graph.iris import Iris
        from policygraph.indexes.embedder import embedder_for
        from policygraph.indexes.sparse import SparseEncoder
        from policygraph.ingest.pipeline import load_analyzer

        self.iris = Iris(cfg.base_iri)
        self.analyzer = load_analyzer(cfg.ginza_model, 1, cfg.ginza_batch_size, cfg.ginza_exclude)
        self.embedder = embedder_for(cfg)
        self.sparse = SparseEncoder()


class Preparer:
    """The Ray actor (``ray.remote`` is applied when a cluster is used, so importing this
    module needs no Ray)."""

    def __init__(self, cfg: WorkerConfig) -> None:
        self.models = WorkerModels(cfg)
        self.models.embedder.embed_passages(["準備"])  # the first call's one-off costs, here

    def info(self) -> dict[str, Any]:
        """The embedding dimension, where the worker runs and its peak memory (bytes)."""
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return {"dim": self.models.embedder.dim, "host": socket.gethostname(), "pid": os.getpid(), "rss": rss}

    def prepare(self, docs: list[SourceDocument]) -> list[PreparedDocument]:
        return list(prepare_documents(docs, self.models))


def cluster_steps(pipeline: WritePipeline, address: str,
                  read: Iterator[tuple[list[dict[str, Any]], list[SourceDocument]]]) -> Iterator[Step]:
    """The batches of ``read`` prepared on the cluster and committed here, one step per
    batch, in the order read (see the module docstring)."""
    with connected(address):
        workers: Workers | None = None  # started for the first batch with anything new in it
        # (errors, documents read, the cluster's answer for those it was given or None)
        out: deque[tuple[list[dict[str, Any]], list[SourceDocument], Any]] = deque()

        def commit_first() -> Step:
            errors, docs, ref = out.popleft()
            if not docs:
                return errors, None
            if ref is None or workers is None:
                return errors, pipeline.commit(docs, [], 0)  # nothing new: all unchanged
            return errors, pipeline.commit(docs, workers.result(ref), workers.dim)

        def first_done() -> bool:
            return bool(out) and (out[0][2] is None or workers is None or workers.ready(out[0][2]))

        for errors, docs in read:
            current = pipeline.s.versions()
            todo = [d for d in docs if current.get(d.id) != d.checksum]
            if todo and workers is None:
                workers = start_workers(WorkerConfig.of(pipeline.s.settings))
            if todo and workers:
                # a worker free to queue it: commit what is back meanwhile, in order; a
                # batch back before an earlier one waits for it, but never keeps a worker idle
                while True:
                    while first_done():
                        yield commit_first()
                    if workers.room() and len(out) < workers.held:
                        break
                    if len(out) >= workers.held:
                        workers.wait(out[0][2])
                    else:
                        workers.wait_any()
            out.append((errors, docs, workers.submit(todo) if todo and workers else None))
            while first_done():
                yield commit_first()
        while out:
            yield commit_first()


class Workers:
    """The actors, each with at most :data:`BATCHES_PER_WORKER` batches sent and not
    finished (one running, the next queued beside it, so no worker waits for this process
    between two batches); the least busy one takes the next batch."""

    def __init__(self, actors: list[Any], infos: list[dict[str, Any]]) -> None:
        self.actors = actors
        self.infos = infos  # Preparer.info of each, when it started
        self.dim = int(infos[0]["dim"])
        # batches sent and not yet committed, finished or not: their documents are held
        # here and their results in the cluster's object store, so this bounds both
        self.held = 2 * BATCHES_PER_WORKER * len(actors)
        self.running: list[list[Any]] = [[] for _ in actors]

    def _finished(self) -> None:
        ray = _ray()

        for refs in self.running:
            if refs:
                done, _ = ray.wait(refs, num_returns=len(refs), timeout=0)
                refs[:] = [r for r in refs if r not in done]

    def room(self) -> bool:
        """Whether a worker has fewer than :data:`BATCHES_PER_WORKER` batches unfinished."""
        self._finished()
        return any(len(refs) < BATCHES_PER_WORKER for refs in self.running)

    def wait_any(self) -> None:
        """Until one of the batches sent finishes."""
        refs = [r for rs in self.running for r in rs]
        if refs:
            _ray().wait(refs, num_returns=1)

    @staticmethod
    def wait(ref: Any) -> None:
        """Until the batch of ``ref`` finishes."""
        _ray().wait([ref], num_returns=1)

    def submit(self, docs: list[SourceDocument]) -> Any:
        self._finished()
        i = min(range(len(self.actors)), key=lambda k: len(self.running[k]))
        ref = self.actors[i].prepare.remote(docs)
        self.running[i].append(ref)
        return ref

    @staticmethod
    def ready(ref: Any) -> bool:
        ray = _ray()

        done, _ = ray.wait([ref], timeout=0)
        return bool(done)

    @staticmethod
    def result(ref: Any) -> list[PreparedDocument]:
        ray = _ray()

        try:
            return list(ray.get(ref))
        except ray.exceptions.RayTaskError as e:  # the worker raised: the same error as locally
            cause = getattr(e, "cause", None)
            if isinstance(cause, PolicygraphError):
                raise cause from None
            raise ClusterUnavailable(f"a worker failed: {cause or e}") from e
        except ray.exceptions.RayError as e:  # a worker or its node died
            raise ClusterUnavailable(f"a worker was lost: {e}") from e


def start_workers(cfg: WorkerConfig) -> Workers:
    """One actor per CPU of the cluster, each with its models loaded."""
    ray = _ray()

    cpus = int(ray.cluster_resources().get("CPU", 0))
    if cpus < 1:
        raise ClusterUnavailable("the Ray cluster offers no CPU for workers (start nodes with --num-cpus N)")
    actor = ray.remote(num_cpus=1, max_restarts=2, max_task_retries=2)(Preparer)
    actors = [actor.remote(cfg) for _ in range(cpus)]
    try:
        infos = ray.get([a.info.remote() for a in actors], timeout=START_TIMEOUT_S)
    except ray.exceptions.GetTimeoutError:
        raise ClusterUnavailable(f"the workers did not start within {START_TIMEOUT_S:.0f} s") from None
    except ray.exceptions.RayError as e:
        raise ClusterUnavailable(f"the workers cannot start: {e}") from e
    for i in infos:
        log.info("ray worker %s pid %s: %.0f MB", i["host"], i["pid"], i["rss"] / 2**20)
    return Workers(actors, infos)


CLIENT_ATTEMPTS = 3
# how Ray Client says the per-driver server on the head did not start (the second: its
# proxier read a zombie process's command line, ray-project/ray#63202; seen once in CI)
_CLIENT_START_FAILED = ("Starting Ray client server failed", "Initialization failure from server")


@contextmanager
def connected(address: str) -> Iterator[None]:
    """This process as a driver of the cluster at ``address``, for the block; a clear
    :class:`ClusterUnavailable` (not a hang) when nothing, or no Ray cluster, answers there.
    A second cluster ingest in the same process (the server) waits for the first."""
    with _DRIVING:
        with _driver(address):
            yield


@contextmanager
def _driver(address: str) -> Iterator[None]:
    ray = _ray()

    host, port = split_address(address)
    try:
        socket.create_connection((host, port), timeout=5).close()
    except OSError as e:
        raise ClusterUnavailable(f"no Ray cluster answers at {address} ({e.strerror or e}): start one with "
                                 "`ray start --head` and give the address it prints") from None
    box: dict[str, BaseException | None] = {}

    def init() -> None:  # in a thread: ray.init waits without end on a port that is not Ray's
        try:
            ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR,
                     namespace="policygraph")
            box["error"] = None
        except BaseException as e:  # noqa: BLE001 - handed to the caller below
            box["error"] = e

    for attempt in range(CLIENT_ATTEMPTS):
        box.clear()
        t = threading.Thread(target=init, name="policygraph-ray-init", daemon=True)
        t.start()
        t.join(CONNECT_TIMEOUT_S)
        # Ray Client starts a server process per driver on the head; that start can fail
        # for a moment (seen once in CI: "Starting Ray client server failed"): try again
        if not (box.get("error") is not None and any(m in str(box["error"]) for m in _CLIENT_START_FAILED)
                and attempt + 1 < CLIENT_ATTEMPTS):
            break
        log.warning("Ray Client server did not start at %s; trying again", address)
        ray.shutdown()
        time.sleep(2.0 * (attempt + 1))
    if "error" not in box:
        raise ClusterUnavailable(f"{address} answers but no Ray cluster joined within {CONNECT_TIMEOUT_S:.0f} s "
                                 "(is it the address `ray start --head` printed?)")
    if box["error"] is not None:
        raise ClusterUnavailable(f"cannot join the Ray cluster at {address}: {box['error']}") from box["error"]
    try:
        yield
    finally:
        ray.shutdown()  # the workers (actors of this driver) end with it


def _ray() -> Any:
    """Ray, imported when a cluster is used (its API is only partly typed)."""
    import ray

    return ray


def split_address(address: str) -> tuple[str, int]:
    """``host:port`` or ``ray://host:port`` → (host, port).

    >>> split_address("ray://head:10001")
    ('head', 10001)
    >>> split_address("127.0.0.1:6379")
    ('127.0.0.1', 6379)
    """
    rest = address.removeprefix("ray://")
    host, sep, port = rest.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise BadInput(f"a Ray cluster address is host:port (as `ray start --head` prints it) or "
                       f"ray://host:port, not {address!r}")
    return host.strip("[]"), int(port)
