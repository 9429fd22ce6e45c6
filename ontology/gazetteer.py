"""Reference data (ontology/reference/*.ttl, SKOS labels) as gazetteer entries."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from policygraph.ontology import ENTITY_CLASSES, PG_NS, REF_NS

HERE = Path(__file__).resolve().parent
TYPES = ENTITY_CLASSES


@dataclass(frozen=True)
class RefEntry:
    key: str
    iri: str
    label: str
    type: str
    generic: bool
    aliases: tuple[str, ...]
    parent: str | None
    law_number: str | None
    egov_id: str | None
    label_en: str | None


def ontology_path() -> Path:
    return HERE / "policygraph.ttl"


def shapes_path() -> Path:
    return HERE / "shapes.ttl"


def load_reference(directory: Path | None = None) -> list[RefEntry]:
    return list(_load(str(directory or HERE / "reference")))


@lru_cache(maxsize=4)
def _load(directory: str) -> tuple[RefEntry, ...]:
    from rdflib import RDF, Graph, Namespace
    from rdflib.namespace import ORG, SKOS

    pg = Namespace(PG_NS)
    g = Graph()
    for f in sorted(Path(directory).glob("*.ttl")):
        g.parse(f, format="turtle")
    out = []
    for s, cls in g.subject_objects(RDF.type):
        local = str(cls).removeprefix(PG_NS)
        if local not in TYPES or not str(s).startswith(REF_NS):
            continue
        ja = [str(o) for o in g.objects(s, SKOS.prefLabel) if getattr(o, "language", None) == "ja"]
        en = [str(o) for o in g.objects(s, SKOS.prefLabel) if getattr(o, "language", None) == "en"]
        alts = tuple(sorted(unicodedata.normalize("NFKC", str(o)) for o in g.objects(s, SKOS.altLabel)))
        parent = g.value(s, ORG.subOrganizationOf)
        num = g.value(s, pg.lawNumber)
        eg = g.value(s, pg.egovLawId)
        out.append(RefEntry(
            key=str(s).removeprefix(REF_NS), iri=str(s), label=unicodedata.normalize("NFKC", ja[0]),
            type=TYPES[local], generic=local == "GenericActor", aliases=alts,
            parent=str(parent).removeprefix(REF_NS) if parent else None,
            law_number=str(num) if num else None, egov_id=str(eg) if eg else None,
            label_en=en[0] if en else None,
        ))
    return tuple(sorted(out, key=lambda e: e.key))
