"""Progress a person can read during a long ingest: on a terminal a tqdm bar of documents
with characters per second, the time left and the stage the current batch is in
(parsing N passages, writing 3/16); off a terminal (a log, a pipe) one line every few
seconds, also while one large batch is being parsed, so a long ingest never looks hung.
Fed by ``WritePipeline.ingest_paths``'s progress calls: ``("characters", n, 0)`` per file
read, ``("parse", 0, passages)`` and ``("write", i, n)`` within a batch, ``("documents",
done, total)`` after each batch."""

from __future__ import annotations

import sys
import threading
import time
from typing import Any, TextIO

LINE_EVERY_S = 5.0
STAGE_WORDS = {"parse": "parsing {total:,} passages", "write": "writing {done}/{total}"}


class IngestProgress:
    def __init__(self, stream: TextIO | None = None, every: float = LINE_EVERY_S) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.every = every
        self.started = time.monotonic()
        self.last_line = self.started
        self.chars = 0
        self.done = 0
        self.total = 0
        self.stage = ""
        self.bar: Any = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    def __call__(self, stage: str, n: int, total: int) -> None:
        with self._lock:
            if stage == "characters":
                self.chars += n
                return
            if stage in STAGE_WORDS:
                self.stage = STAGE_WORDS[stage].format(done=n, total=total)
                self._start_beat()
                if self.tty and self.bar is not None:
                    self._refresh_bar()
                return
            if stage != "documents":
                return
            self.done, self.total = n, total
            self.stage = ""
            self._start_beat()
            if self.tty:
                self._refresh_bar()
            elif time.monotonic() - self.last_line >= self.every or n == total:
                self._line()

    def _rate(self) -> float:
        return self.chars / max(time.monotonic() - self.started, 1e-6)

    def _refresh_bar(self) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=self.total or None, desc="ingest", unit="doc", file=self.stream,
                            dynamic_ncols=True)
        self.bar.total = self.total or self.bar.total
        self.bar.n = self.done
        self.bar.set_postfix_str(f"{self._rate():,.0f} chars/s" + (f", {self.stage}" if self.stage else ""),
                                 refresh=False)
        self.bar.refresh()

    def _line(self) -> None:
        now = time.monotonic()
        self.last_line = now
        n, total = self.done, self.total
        left = (total - n) * (now - self.started) / n if n else 0
        print(f"policygraph: ingest {n}/{total} documents, {self.chars:,} characters read, "
              f"{self._rate():,.0f} chars/s" + (f", about {left / 60:.0f} min left" if n < total and n else "")
              + (f" ({self.stage})" if self.stage else ""),
              file=self.stream, flush=True)

    def _start_beat(self) -> None:
        """The heartbeat: a line (or a bar refresh) when nothing was shown for ``every`` s."""
        if self._beat is None:
            self._beat = threading.Thread(target=self._heartbeat, name="ingest-progress", daemon=True)
            self._beat.start()

    def _heartbeat(self) -> None:
        while not self._stop.wait(self.every / 2):
            with self._lock:
                if self.tty:
                    if self.bar is not None:
                        self._refresh_bar()
                elif time.monotonic() - self.last_line >= self.every:
                    self._line()

    def close(self) -> None:
        self._stop.set()
        if self._beat is not None:
            self._beat.join()
        if self.bar is not None:
            self.bar.close()
