"""Real-browser test helpers shared by the UI test modules: Debian's chromium (installed
with apt-get when missing, with a Japanese font for legible screenshots), the flags it
runs with, a Playwright browser for a test module, and typing a query on the search page."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def ensure_chromium() -> str:
    """Debian's chromium (and fonts-ipafont-gothic), installed with apt-get when missing."""
    if not Path(CHROMIUM).exists() or not shutil.which("fc-list") or "IPA" not in subprocess.run(
            ["fc-list", ":lang=ja"], capture_output=True, text=True).stdout:
        sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env, capture_output=True)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium",
                        "fonts-ipafont-gothic", "fontconfig"], check=True, env=env, capture_output=True)
    assert Path(CHROMIUM).exists()
    return CHROMIUM


@contextmanager
def launched() -> Iterator[Any]:
    """A headless chromium driven by Playwright (no browser download: Debian's)."""
    from playwright.sync_api import sync_playwright

    exe = ensure_chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=FLAGS)
        try:
            yield b
        finally:
            b.close()


def search(page: Any, query: str) -> None:
    """Type ``query`` into the search page's box and wait for the hits."""
    page.goto("/")
    box = page.get_by_label("検索語")
    box.fill(query)
    box.press("Enter")
    page.wait_for_selector(".hit")
