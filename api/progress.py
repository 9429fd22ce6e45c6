"""Progress a person can read during a long ingest: on a terminal a tqdm bar of documents
with characters per second and the time left; off a terminal (a log, a pipe) one line
every few seconds.  Fed by ``WritePipeline.ingest_paths``'s progress calls."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

LINE_EVERY_S = 5.0


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
        self.bar: Any = None

    def __call__(self, stage: str, n: int, total: int) -> None:
        if stage == "characters":
            self.chars += n
            return
        if stage != "documents":
            return
        self.done, self.total = n, total
        rate = self.chars / max(time.monotonic() - self.started, 1e-6)
        if self.tty:
            if self.bar is None:
                from tqdm import tqdm

                self.bar = tqdm(total=total, desc="ingest", unit="doc", file=self.stream, dynamic_ncols=True)
            self.bar.n = n
            self.bar.set_postfix_str(f"{rate:,.0f} chars/s", refresh=False)
            self.bar.refresh()
            return
        now = time.monotonic()
        if now - self.last_line >= self.every or n == total:
            self.last_line = now
            left = (total - n) * (now - self.started) / n if n else 0
            print(f"policygraph: ingest {n}/{total} documents, {self.chars:,} characters read, "
                  f"{rate:,.0f} chars/s" + (f", about {left / 60:.0f} min left" if n < total and n else ""),
                  file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
