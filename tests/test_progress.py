"""Ingest progress off a terminal (api/progress.py): a line every few seconds, also while
one batch is being parsed, naming the stage; the last line when the folder is done."""

from __future__ import annotations

import io
import re
import time

from policygraph.api.progress import IngestProgress


def test_lines_keep_coming_during_a_long_batch() -> None:
    out = io.StringIO()
    p = IngestProgress(out, every=0.2)
    p("documents", 0, 16)  # the folder's size, first
    p("characters", 5000, 0)
    p("parse", 0, 412)
    time.sleep(0.7)  # one long parse: the heartbeat speaks for it
    during = out.getvalue()
    assert re.search(r"policygraph: ingest 0/16 documents, 5,000 characters read, [\d,]+ chars/s \(parsing 412 passages\)",
                     during), during
    assert during.count("\n") >= 2
    p("write", 3, 16)
    time.sleep(0.3)
    assert "(writing 3/16)" in out.getvalue()
    p("documents", 16, 16)
    p.close()
    last = out.getvalue().splitlines()[-1]
    assert last.startswith("policygraph: ingest 16/16 documents") and "parsing" not in last and "writing" not in last
    # closed: no more lines
    n = out.getvalue().count("\n")
    time.sleep(0.3)
    assert out.getvalue().count("\n") == n
