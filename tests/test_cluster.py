"""`policygraph ingest --cluster`: a real two-node Ray cluster on 127.0.0.1 (a head and a
worker node, one CPU each, started as separate processes) prepares the documents, this
machine's CLI process writes them.  Congruence: the same folder ingested on the cluster
and in one process gives the same graph (every quad) and the same index (points,
payloads, dense and sparse vectors, bit for bit) and the same per-file results.  An
address where no cluster answers is a clear error, not a wait."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from index_points import points as _points
from index_points import same_index
from ray_nodes import ENV, free_port, local_cluster

pytestmark = pytest.mark.integration

DATA = Path(__file__).resolve().parent / "data"
@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[tuple[str, str]]:
    """A head node and one worker node, one CPU each: the head's ``host:port`` and its Ray
    Client address (``ray://host:port``)."""
    with local_cluster(cpus=1, timeout_s=90) as addresses:
        yield addresses


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four small real documents of three formats and a file that cannot be read."""
    d = tmp_path_factory.mktemp("docs")
    for src in (DATA / "kinds" / "statute_form.txt", DATA / "kinds" / "cabinet_plan_form.md",
                DATA / "kinds" / "guideline_form.html", DATA / "public" / "base_registry_shitei_kokuji_r5.md"):
        shutil.copy(src, d / src.name)
    (d / "blank.txt").write_text("\n \n", encoding="utf-8")  # an empty document: refused by name
    return d


def _cli(data: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "policygraph.api.cli", "--data", str(data), *args],
                          capture_output=True, text=True, timeout=timeout,
                          env={**ENV, "POLICYGRAPH_INGEST_BATCH_DOCS": "2"})


def test_the_cluster_writes_what_one_process_writes(ray_cluster: tuple[str, str], folder: Path,
                                                    tmp_path: Path) -> None:
    address, client = ray_cluster
    local, remote = tmp_path / "local", tmp_path / "cluster"
    one = _cli(local, "ingest", str(folder), "--json")
    many = _cli(remote, "ingest", str(folder), "--json", "--cluster", address)
    assert one.returncode == many.returncode == 2, (one.stderr[-2000:], many.stderr[-3000:])  # blank.txt
    results = json.loads(one.stdout)["results"]
    assert json.loads(many.stdout)["results"] == results  # same statuses, counts, order, file error
    assert [r["status"] for r in results].count("added") == 4
    assert any(r["source"] == "blank.txt" and r["status"] == "error" for r in results)
    # off a terminal, the same progress lines
    assert "policygraph: ingest 5/5 documents" in many.stderr

    # the graph: every quad
    quads = [sorted(_cli(d, "export", "--format", "nquads").stdout.splitlines()) for d in (local, remote)]
    assert quads[0] == quads[1] and len(quads[0]) > 100

    # the index: the same points with the same payloads and vectors, bit for bit
    a, b = _points(local), _points(remote)
    assert len(a) >= 4
    same_index(a, b)

    # again, through Ray Client (ray://, as from a machine outside the cluster), with one
    # file more: the others are unchanged (not shipped), the new one added; graph and index agree
    shutil.copy(DATA / "public" / "digital_cho_r4_gaisan_yokyu.md", folder / "digital_cho_r4_gaisan_yokyu.md")
    again = _cli(remote, "ingest", str(folder), "--json", "--cluster", client)
    assert again.returncode == 2, again.stderr[-3000:]
    status = {r["source"]: r["status"] for r in json.loads(again.stdout)["results"]}
    assert status == {**{r["source"]: "error" if r["status"] == "error" else "unchanged" for r in results},
                      "digital_cho_r4_gaisan_yokyu.md": "added"}
    check = json.loads(_cli(remote, "check", "--no-repair").stdout)
    assert check["ok"] and check["documents"] == 5 and check["points"] == check["passages"] > len(a)


def test_no_cluster_at_the_address_is_a_clear_error(folder: Path, tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    started = time.monotonic()
    r = _cli(tmp_path / "d", "ingest", str(folder), "--cluster", f"127.0.0.1:{port}", timeout=120)
    assert r.returncode == 1 and time.monotonic() - started < 60
    assert f"no Ray cluster answers at 127.0.0.1:{port}" in r.stderr and "Traceback" not in r.stderr
    bad = _cli(tmp_path / "d", "ingest", str(folder), "--cluster", "headnode", timeout=120)
    assert bad.returncode == 2 and "host:port" in bad.stderr and "Traceback" not in bad.stderr


def test_a_port_that_is_not_ray_is_a_clear_error_too() -> None:
    """Something answers, but it is not a Ray cluster: ray.init would wait without end."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        code = ("import sys\nfrom policygraph.service import cluster\ncluster.CONNECT_TIMEOUT_S = 3\n"
                f"try:\n    with cluster.connected('127.0.0.1:{port}'):\n        pass\n"
                "except cluster.ClusterUnavailable as e:\n    print(e)\n    sys.exit(7)\n")
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=ENV)
    assert r.returncode == 7, r.stderr[-2000:]
    assert "answers but no Ray cluster joined" in r.stdout
