"""The CLI's in-process backend: a Service on the data directory, with a progress bar."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from api.service import Service


class LocalService:
    def __init__(self, settings: Any, repair: bool = False) -> None:
        self.svc = Service(settings, repair=repair)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.svc, name)

    def ingest_paths(self, paths: list[Path]) -> list[dict[str, Any]]:
        bar: Any = None

        def progress(stage: str, done: int, total: int) -> None:
            nonlocal bar
            if not sys.stderr.isatty():
                return
            from tqdm import tqdm

            if stage == "parse":
                print(f"parsing {total} passages with GiNZA…", file=sys.stderr)
                return
            if bar is None:
                bar = tqdm(total=total, desc="writing", unit="doc", file=sys.stderr)
            bar.n = done
            bar.refresh()

        try:
            return self.svc.ingest_paths(paths, progress)
        finally:
            if bar is not None:
                bar.close()

    def measures(self, *a: Any) -> dict[str, Any]:
        return self.svc.measures(*a)

    def export(self, fmt: str) -> bytes:
        return bytes(self.svc.graph.dump(fmt))

    def backup(self, dest: Path) -> dict[str, Any]:
        from api.backup import backup

        return backup(self.svc, dest)

    def close(self) -> None:
        self.svc.close()
