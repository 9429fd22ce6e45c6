"""``DATA/server.json``: which process serves a data directory.

``policygraph serve`` writes it (mode 0600): the server's address, pid, per-run token and
the data directory it holds.  :func:`read_server_file` accepts it only if that directory
is ``DATA`` itself and the pid is alive: a file copied from another data directory, or
left by a server that is gone, must not send commands (with a token) to whatever answers
at its address.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

SERVER_FILE = "server.json"


def read_server_file(data: Path) -> tuple[dict[str, Any] | None, str | None]:
    """``DATA/server.json`` if it is this directory's server's; else ``None`` and, when
    there is a file, why it was ignored."""
    path = Path(data) / SERVER_FILE
    try:
        info = json.loads(path.read_text())
    except FileNotFoundError:
        return None, None
    except (OSError, ValueError) as e:
        return None, f"ignoring {path}: unreadable ({e})"
    if not isinstance(info, dict) or not isinstance(info.get("url"), str):
        return None, f"ignoring {path}: not a server file"
    recorded = info.get("data")
    if not isinstance(recorded, str) or not _same_dir(recorded, Path(data)):
        return None, (f"ignoring {path}: it was written by the server of another data directory "
                      f"({recorded or 'none recorded'})")
    pid = info.get("pid")
    if not _alive(pid):
        return None, f"ignoring {path}: its server (pid {pid}) is not running"
    return info, None


def _same_dir(recorded: str, data: Path) -> bool:
    try:
        return os.path.samefile(recorded, data)
    except (OSError, ValueError):
        return False


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:  # 0 and -1 would mean a group
        return False
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True  # another user's process
    except (OSError, OverflowError):
        return False
    return True
