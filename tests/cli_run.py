"""Running the CLI in-process from a test: exit code, stdout and stderr."""

from __future__ import annotations

import pytest

from policygraph.api.cli import main


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    """The single ``policygraph: …`` line a refusal prints on stderr."""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("policygraph: "), err
    return lines[0]
