"""A real Ray cluster on 127.0.0.1 for tests and benchmarks: a head node and one worker
node, each ``ray start --block`` in a process group of its own (not local mode), stopped
by process group.  Used by tests/test_cluster.py and bench/cluster.py."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

RAY = str(Path(sys.executable).parent / "ray")
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "RAY_USAGE_STATS_ENABLED": "0"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def nodes(address: str) -> int:
    """How many nodes ``ray status`` reports at ``address``."""
    out = subprocess.run([RAY, "status", f"--address={address}"], capture_output=True, text=True, env=ENV,
                         timeout=60).stdout
    return out.count("node_")


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    """The ``ray start --block`` processes and every Ray process they started (each its
    own process group): SIGTERM, then SIGKILL what is left after a few seconds."""
    for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 10.0)):
        alive = []
        for p in procs:
            try:
                os.killpg(p.pid, sig)
                alive.append(p)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        while alive and time.monotonic() < deadline:
            alive = [p for p in alive if _group_alive(p.pid)]
            time.sleep(0.2)
        if not alive:
            break
    for p in procs:
        p.wait(timeout=10)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


@contextmanager
def local_cluster(cpus: int = 1, timeout_s: float = 120, head_cpus: int | None = None) -> Iterator[tuple[str, str]]:
    """A head node and one worker node, ``cpus`` CPUs each (the head ``head_cpus`` if
    given: 0 leaves every worker on the worker node): yields the head's ``host:port`` and
    its Ray Client address (``ray://host:port``); both nodes are gone afterwards."""
    tmp = tempfile.mkdtemp(prefix="pgray", dir="/tmp")  # Ray's socket paths must stay short
    port, client_port = free_port(), free_port()
    address = f"127.0.0.1:{port}"
    common = ["--block", "--node-ip-address=127.0.0.1", "--disable-usage-stats"]
    procs: list[subprocess.Popen[bytes]] = []
    log = open(Path(tmp) / "ray-start.log", "wb")  # noqa: SIM115 - closed when the nodes are
    try:
        procs.append(subprocess.Popen(
            [RAY, "start", "--head", f"--port={port}", "--include-dashboard=false", f"--temp-dir={tmp}",
             f"--ray-client-server-port={client_port}", f"--dashboard-agent-listen-port={free_port()}",
             f"--num-cpus={cpus if head_cpus is None else head_cpus}", *common],
            stdout=log, stderr=subprocess.STDOUT, env=ENV, start_new_session=True))
        deadline = time.monotonic() + timeout_s
        for n in (1, 2):
            while nodes(address) < n:
                if time.monotonic() > deadline:
                    raise RuntimeError((Path(tmp) / "ray-start.log").read_text())
                time.sleep(1)
            if n == 1:
                procs.append(subprocess.Popen(
                    [RAY, "start", f"--address={address}", f"--dashboard-agent-listen-port={free_port()}",
                     f"--num-cpus={cpus}", *common],
                    stdout=log, stderr=subprocess.STDOUT, env=ENV, start_new_session=True))
        yield address, f"ray://127.0.0.1:{client_port}"
    finally:
        stop(procs)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)
