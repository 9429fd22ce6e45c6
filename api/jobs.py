"""Upload jobs: an upload that asks not to wait (``POST /api/documents?wait=false`` or
``Prefer: respond-async``) gets ``202`` and a job at ``/api/jobs/{id}``, polled for its
state, its counts and what happened to each file.

Jobs run one at a time on one thread (writes to a data directory are one at a time
anyway), in the order they were accepted.  A job lives in this server's memory: the
documents it committed stay after a restart, the job's record does not.  At most
``MAX_QUEUED`` jobs wait at once (each holds its files' bytes); more are refused with 503
until one finishes, and the last ``KEEP_FINISHED`` finished jobs can still be read.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from policygraph.core.errors import IngestError, NotFound, PolicygraphError
from policygraph.core.records import SourceDocument

log = logging.getLogger("policygraph")

MAX_QUEUED = 8
KEEP_FINISHED = 200
JobState = Literal["queued", "running", "done", "failed"]


class Busy(PolicygraphError):
    status = 503
    title = "Too many upload jobs waiting"


@dataclass
class Upload:
    """One uploaded file: its name and bytes, read on the job's thread."""

    name: str
    data: bytes


@dataclass
class Job:
    id: str
    files: list[str]
    created: str
    state: JobState = "queued"
    started: str | None = None
    finished: str | None = None
    stage: str | None = None  # read, parse, write
    stage_done: int = 0
    stage_total: int = 0
    documents_done: int = 0
    characters: int = 0
    results: list[dict[str, Any]] = field(default_factory=list)
    error: dict[str, Any] | None = None

    def view(self) -> dict[str, Any]:
        counts = status_counts(self.results)
        return {
            "id": self.id, "state": self.state, "created": self.created, "started": self.started,
            "finished": self.finished, "files": self.files,
            "progress": {"stage": self.stage, "done": self.stage_done, "total": self.stage_total},
            "counts": {"files": len(self.files), "documents_done": self.documents_done,
                       "characters": self.characters, **counts},
            "results": list(self.results), "error": self.error,
        }


def status_counts(results: list[dict[str, Any]]) -> dict[str, int]:
    """How many files were added, replaced, unchanged and refused (``errors``)."""
    out = {"added": 0, "replaced": 0, "unchanged": 0, "errors": 0}
    for r in results:
        key = "errors" if r.get("status") == "error" else str(r.get("status"))
        out[key] = out.get(key, 0) + 1
    return out


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Jobs:
    """The server's upload jobs (one runner thread)."""

    def __init__(self, ingest: Callable[..., list[dict[str, Any]]],
                 read: Callable[[Upload], SourceDocument]) -> None:
        self._ingest = ingest  # Service.ingest_documents
        self._read = read
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="policygraph-job")

    def submit(self, uploads: list[Upload]) -> Job:
        with self._lock:
            waiting = sum(j.state in ("queued", "running") for j in self._jobs.values())
            if waiting >= MAX_QUEUED:
                raise Busy(f"{waiting} upload jobs are waiting or running; try again when one has finished")
            job = Job(id=uuid.uuid4().hex, files=[u.name for u in uploads], created=_now())
            self._jobs[job.id] = job
            self._forget_old()
        self._pool.submit(self._run, job, uploads)
        return job

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFound(f"no upload job {job_id!r} (jobs are kept in the server's memory until it restarts)")
        return job

    def all(self) -> list[Job]:
        with self._lock:
            return list(reversed(self._jobs.values()))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _forget_old(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.state in ("done", "failed")]
        for k in finished[: max(0, len(finished) - KEEP_FINISHED)]:
            del self._jobs[k]

    def _run(self, job: Job, uploads: list[Upload]) -> None:
        job.state, job.started = "running", _now()
        try:
            docs: list[SourceDocument] = []
            job.stage, job.stage_total = "read", len(uploads)
            for i, u in enumerate(uploads):
                try:
                    doc = self._read(u)
                except IngestError as e:
                    job.results.append({"source": u.name, "status": "error", "reason": e.detail})
                else:
                    docs.append(doc)
                    job.characters += len(doc.text)
                job.stage_done = i + 1
            uploads.clear()  # the bytes are not needed any more

            def progress(stage: str, done: int, total: int) -> None:
                job.stage, job.stage_done, job.stage_total = stage, done, total
                if stage == "write":
                    job.documents_done = done

            if docs:
                job.results.extend(self._ingest(docs, progress))
            job.documents_done = len(docs)
            job.state = "done"
        except PolicygraphError as e:
            job.state, job.error = "failed", {"title": e.title, "status": e.status, "detail": e.detail}
        except Exception as e:  # noqa: BLE001 - a job's failure is its record's, not the thread's
            log.exception("upload job %s failed", job.id)
            job.state, job.error = "failed", {"title": "Ingest failed", "status": 500,
                                              "detail": f"{type(e).__name__}"}
        finally:
            job.finished = _now()
