"""Write ontology/reference/laws-egov.ttl, the titles of Japan's acts in force, from a list
of them as e-Gov's law API gives it (one act per line: promulgation date, kind, number,
title; e.g. the 憲法・法律.csv that tkslab/tkslab.github.io made from the API in 2020).

    .venv/bin/python scripts/reference_laws.py LIST.csv          # rewrite the file
    .venv/bin/python scripts/reference_laws.py LIST.csv --check  # exit 1 when it differs

An act with a title of its own becomes a pg:Law with its title as the label and its number
(昭和35年法律第105号); an act known only by its number (明治二十二年法律第三十四号（決闘罪ニ関スル件）)
and an act already curated in laws.ttl are left out.  General knowledge: the names of the
country's statutes, so that a document citing one by its full title is read as citing a law.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from policygraph.ingest.extract.deadlines import kanji_number  # noqa: E402
from policygraph.ontology.gazetteer import load_reference  # noqa: E402

OUT = ROOT / "ontology" / "reference" / "laws-egov.ttl"
_ERA = {"明治": ("M", 1), "大正": ("T", 2), "昭和": ("S", 3), "平成": ("H", 4), "令和": ("R", 5)}
_NUMBER = re.compile(r"(明治|大正|昭和|平成|令和)([元一二三四五六七八九十]+)年法律第([一二三四五六七八九十百千〇]+)号")
_HEADER = """@prefix pg: <https://w3id.org/policygraph/ns#> .
@prefix ref: <https://w3id.org/policygraph/ref/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

# The titles of Japan's acts (法律) in force, with their numbers: general knowledge, from
# e-Gov's law list (総務省 e-Gov法令検索, as its law API listed them on 2020-09-20).
# Written by scripts/reference_laws.py; laws.ttl curates the well-known ones (aliases,
# English names, e-Gov ids) and wins where both name a law.
"""


def entries(rows: list[list[str]], known: set[str]) -> list[tuple[str, str, str]]:
    """(key, title, number) of each act with a title of its own that ``known`` lacks."""
    out = []
    seen = set()
    for row in rows:
        if len(row) < 4:
            continue
        number, title = row[2].strip(), unicodedata.normalize("NFKC", row[3]).strip()
        title = re.sub(r"\s*抄$", "", title)
        m = _NUMBER.fullmatch(number)
        if m is None or _NUMBER.match(title) or title in known or title in seen or len(title) < 3:
            continue
        era, year, num = m.group(1), m.group(2), kanji_number(m.group(3))
        y = 1 if year == "元" else kanji_number(year)
        letter, _ = _ERA[era]
        seen.add(title)
        out.append((f"act-{letter}{y}-{num}", title, f"{era}{y}年法律第{num}号"))
    return sorted(out)


def render(items: list[tuple[str, str, str]]) -> str:
    def lit(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    body = [f"ref:{key} a pg:Law ;\n    skos:prefLabel {lit(title)}@ja ;\n    pg:lawNumber {lit(number)} .\n"
            for key, title, number in items]
    return _HEADER + "\n" + "\n".join(body)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("list", type=Path, help="the e-Gov list of acts (CSV: date, kind, number, title)")
    ap.add_argument("--check", action="store_true", help="exit 1 when the file differs from what this writes")
    args = ap.parse_args()
    curated = [e for e in load_reference() if e.type == "Law" and not e.key.startswith("act-")]
    known = {n for e in curated for n in (e.label, *e.aliases)}
    with args.list.open(encoding="utf-8") as f:
        text = render(entries(list(csv.reader(f)), known))
    if args.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        sys.stdout.write("up to date\n" if same else f"{OUT} differs\n")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    sys.stdout.write(f"wrote {OUT} ({text.count(' a pg:Law')} acts)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
