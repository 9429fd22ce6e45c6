"""Ingest throughput in one process against a Ray cluster (not a test).

The same folder (default: the sample corpus) into two fresh data directories: once in
this process (the local path, GiNZA on ``ginza_processes`` cores), once with
``cluster_address`` set, on a cluster of a head and one worker node started here on
127.0.0.1 (``--num-cpus`` each, default 1: two workers).  Reported: wall time and
characters/s of each, the cluster workers' start (loading GiNZA and the embedder) apart
from the ingest, characters/s per worker, and each worker's peak memory (RSS).  The runs
alternate (local, cluster, local, …) and each records the load average before it: this
machine is shared.  ``--batch-docs 1`` makes every document its own batch, so that
a small folder keeps both workers busy (the default batch of 16 documents would give the
whole sample corpus to one worker).  Every data directory must come out the same (checked: quads and
point count).

Writes bench/results/cluster.json (one entry per batch setting).

``--scaling N`` measures instead how the cluster scales: a folder of N documents built as
``bench/archive.py`` builds its own (pieces of the corpus and tests/data/public, era years
moved on), ingested on a cluster with one worker and on one with two (the head with no
CPU, the worker node with 1 or 2), alternating, each run's workers started before its
clock starts.  Writes bench/results/cluster-scaling.json.

Run: .venv/bin/python bench/cluster.py [FOLDER] [--cpus-per-node N] [--rounds N]
     .venv/bin/python bench/cluster.py --scaling 60 --batch-docs 3 [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from load import TICK, proc_stat  # noqa: E402 - a process's /proc stat fields (bench/load.py)
from ray_nodes import local_cluster  # noqa: E402 - a real head and worker node on 127.0.0.1


def _dump(svc: object) -> tuple[list[str], int]:
    quads = sorted(bytes(svc.graph.dump("nquads")).decode().splitlines())  # type: ignore[attr-defined]
    return quads, svc.index.count()  # type: ignore[attr-defined]


def _batches(files: list[Path], settings: object) -> int:
    """How many batches the ingest makes of ``files`` (WritePipeline.read_batches' rule)."""
    from policygraph.ingest.readers import read_file

    n, docs, chars = 0, 0, 0
    for f in files:
        docs, chars = docs + 1, chars + len(read_file(f).text)
        if docs >= settings.ingest_batch_docs or chars >= settings.ingest_batch_chars:  # type: ignore[attr-defined]
            n, docs, chars = n + 1, 0, 0
    return n + (1 if docs else 0)


def _local(files: list[Path], data: Path) -> dict[str, object]:
    """One process: models loaded first (as in bench/ingest_search.py), then the ingest."""
    from policygraph.core.settings import Settings
    from policygraph.service.service import Service

    svc = Service(Settings(data=data))
    t0 = time.perf_counter()
    _ = svc.analyzer, svc.embedder, svc.sparse
    load_s = time.perf_counter() - t0
    load, ingest_s, dump = _timed_ingest(svc, files)
    return {"load_avg_1min_before": round(load, 1), "models_load_s": round(load_s, 1), "ingest_s": round(ingest_s, 1),
            "_dump": dump}


def _timed_ingest(svc: Any, files: list[Path]) -> tuple[float, float, tuple[list[str], int]]:
    """The machine's load before, the ingest's seconds, and what it wrote; closes ``svc``."""
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    svc.ingest_paths(files)
    ingest_s = time.perf_counter() - t0
    dump = _dump(svc)
    svc.close()
    return load, ingest_s, dump


class CpuSampler:
    """CPU seconds (user + system) of the processes of this machine while it runs, by
    role: this process (the driver and writer), the Ray workers (``ray::`` actors), Ray's
    other processes (raylet, GCS, agents, client server) and everything else.  Read from
    ``/proc`` every ``every`` seconds; a process gone between two reads loses at most that
    interval's CPU."""

    def __init__(self, every: float = 0.25) -> None:
        self.every = every
        self.first: dict[int, float] = {}
        self.last: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _read(self, initial: bool) -> None:
        for d in Path("/proc").iterdir():
            if not d.name.isdigit():
                continue
            pid = int(d.name)
            fields = proc_stat(pid)
            try:
                cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                fields = None
            if fields is None:  # (gone meanwhile)
                continue
            cpu = (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
            if pid not in self.last:
                self.first[pid] = cpu if initial else 0.0
            self.last[pid] = (self._role(pid, cmd), cpu)

    @staticmethod
    def _role(pid: int, cmd: str) -> str:
        if pid == os.getpid():
            return "driver_and_writer"
        if cmd.startswith("ray::") or "default_worker.py" in cmd:
            return "ray_workers"
        if "ray" in cmd or "gcs_server" in cmd or "raylet" in cmd:
            return "ray_other"
        return "other"

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._read(False)

    def __enter__(self) -> CpuSampler:
        self._read(True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._read(False)

    def seconds(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for pid, (role, cpu) in self.last.items():
            out[role] = out.get(role, 0.0) + cpu - self.first[pid]
        return {k: round(v, 1) for k, v in sorted(out.items())}


def _cluster(files: list[Path], data: Path, address: str) -> dict[str, object]:
    """The workers' start on its own (connect, one actor per CPU, models loaded), then the
    ingest as `policygraph ingest --cluster` runs it (connect, start, prepare, commit)."""
    from policygraph.core.settings import Settings
    from policygraph.service import cluster
    from policygraph.service.service import Service

    svc = Service(Settings(data=data, cluster_address=address))
    t0 = time.perf_counter()
    with cluster.connected(address):
        infos = cluster.start_workers(cluster.WorkerConfig.of(svc.settings)).infos
    start_s = time.perf_counter() - t0
    with CpuSampler() as cpu:
        load, ingest_s, dump = _timed_ingest(svc, files)
    return {"load_avg_1min_before": round(load, 1), "workers": len(infos), "workers_start_s": round(start_s, 1),
            "cpu_s_incl_start": cpu.seconds(),
            "ingest_s_incl_start": round(ingest_s, 1), "ingest_s_excl_start": round(ingest_s - start_s, 1),
            "worker_rss_mb_models_loaded": [round(i["rss"] / 2**20) for i in infos], "_dump": dump}


def _worker_peak_rss_mb(files: list[Path], address: str) -> int:
    """A worker's peak memory after preparing the whole folder as one batch (the largest
    batch it would be given here): GiNZA, the embedder and a batch's parses and graphs."""
    from policygraph.core.settings import Settings
    from policygraph.ingest.readers import read_file
    from policygraph.service import cluster

    docs = [read_file(f) for f in files]
    with cluster.connected(address):
        workers = cluster.start_workers(cluster.WorkerConfig.of(Settings()))
        actor = workers.actors[0]
        workers.result(actor.prepare.remote(docs))
        info = cluster._ray().get(actor.info.remote())
    return round(info["rss"] / 2**20)


def scaling(docs: int, rounds: int) -> None:
    """One worker against two on the same folder (see the module docstring)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from archive import build_folder

    from policygraph.core.settings import Settings
    from policygraph.ingest.readers import read_file

    runs: dict[int, list[dict[str, object]]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory(prefix="pgb", dir="/tmp") as tmp:
        files = build_folder(Path(tmp) / "folder", docs, 1200)
        chars = sum(len(read_file(f).text) for f in files)
        batches = _batches(files, Settings())
        for r in range(rounds):
            for n in (1, 2):  # alternating, so both see the machine's load alike
                with local_cluster(n, head_cpus=0) as (address, _client):
                    runs[n].append(_cluster(files, Path(tmp) / f"w{n}r{r}", address))
                print(f"{n} worker(s), round {r + 1}: {runs[n][-1]['ingest_s_excl_start']} s", flush=True)
    same = all(run["_dump"] == runs[1][0]["_dump"] for n in (1, 2) for run in runs[n])
    med: dict[int, float] = {}
    for n in (1, 2):
        for run in runs[n]:
            del run["_dump"]
        med[n] = statistics.median(float(run["ingest_s_excl_start"]) for run in runs[n])  # type: ignore[arg-type]
    res = {
        "documents": len(files), "characters": chars, "machine_cores": os.cpu_count(),
        "ingest_batch_docs": Settings().ingest_batch_docs, "batches": batches,
        **{f"workers_{n}": {"runs": runs[n], "median_ingest_s_excl_start": round(med[n], 1),
                            "median_chars_per_s_excl_start": round(chars / med[n])} for n in (1, 2)},
        "two_over_one": round(med[1] / med[2], 2),
        "same_graph_and_points": same,
    }
    (ROOT / "bench" / "results" / "cluster-scaling.json").write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(res, ensure_ascii=False, indent=2))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", nargs="?", type=Path, default=ROOT / "tests" / "data" / "corpus")
    ap.add_argument("--cpus-per-node", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=2, help="local and cluster runs, alternating (default 2 each)")
    ap.add_argument("--batch-docs", type=int, help="POLICYGRAPH_INGEST_BATCH_DOCS for both (default: the setting's)")
    ap.add_argument("--scaling", type=int, metavar="DOCS", help="one worker against two on a folder of DOCS documents")
    args = ap.parse_args()
    os.environ.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    if args.batch_docs:
        os.environ["POLICYGRAPH_INGEST_BATCH_DOCS"] = str(args.batch_docs)
    if args.scaling:
        scaling(args.scaling, args.rounds)
        return
    from policygraph.core.settings import Settings
    from policygraph.ingest.readers import read_file
    from policygraph.service.writes import expand

    files = expand([args.folder])
    chars = sum(len(read_file(f).text) for f in files)
    local_runs: list[dict[str, object]] = []
    cluster_runs: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="pgb", dir="/tmp") as tmp, \
            local_cluster(args.cpus_per_node) as (address, _client):
        for r in range(args.rounds):  # alternating, so both see the machine's load alike
            local_runs.append(_local(files, Path(tmp) / f"local{r}"))
            cluster_runs.append(_cluster(files, Path(tmp) / f"cluster{r}", address))
        peak_rss = _worker_peak_rss_mb(files, address)
    same = all(run["_dump"] == local_runs[0]["_dump"] for run in [*local_runs, *cluster_runs])
    for run in [*local_runs, *cluster_runs]:
        del run["_dump"]
    local_s = statistics.median(float(r["ingest_s"]) for r in local_runs)  # type: ignore[arg-type]
    incl = statistics.median(float(r["ingest_s_incl_start"]) for r in cluster_runs)  # type: ignore[arg-type]
    excl = statistics.median(float(r["ingest_s_excl_start"]) for r in cluster_runs)  # type: ignore[arg-type]
    workers = int(cluster_runs[0]["workers"])  # type: ignore[call-overload]
    batches = _batches(files, Settings())
    busy = min(workers, batches)  # a batch goes to one worker: fewer batches than workers leave some idle
    res = {
        "folder": str(args.folder.relative_to(ROOT) if args.folder.is_relative_to(ROOT) else args.folder),
        "documents": len(files), "characters": chars, "machine_cores": os.cpu_count(),
        "python": platform.python_version(), "ingest_batch_docs": Settings().ingest_batch_docs,
        "ingest_batch_chars": Settings().ingest_batch_chars,
        "local": {"ginza_processes": Settings().ginza_processes, "runs": local_runs,
                  "median_ingest_s": round(local_s, 1), "median_chars_per_s": round(chars / local_s)},
        "cluster": {"nodes": 2, "cpus_per_node": args.cpus_per_node, "workers": workers, "runs": cluster_runs,
                    "median_ingest_s_incl_start": round(incl, 1), "median_chars_per_s_incl_start": round(chars / incl),
                    "median_ingest_s_excl_start": round(excl, 1), "median_chars_per_s_excl_start": round(chars / excl),
                    "worker_peak_rss_mb_after_whole_folder_batch": peak_rss,
                    "batches": batches, "busy_workers": busy,
                    "chars_per_s_per_busy_worker_excl_start": round(chars / excl / busy)},
        "same_graph_and_points": same,
        "local_over_cluster_excl_start": round(local_s / excl, 2),
    }
    out = ROOT / "bench" / "results" / "cluster.json"  # one entry per batch setting
    runs = json.loads(out.read_text()) if out.exists() else {}
    runs[f"batch_docs_{args.batch_docs}" if args.batch_docs else "default_batches"] = res
    out.write_text(json.dumps(runs, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(res, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
