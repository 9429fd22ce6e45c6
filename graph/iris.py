"""The IRI scheme.  Every IRI the graph mints is ``{base}/id/…`` and dereferences there.

=================  ==============================================
document           {base}/id/doc/{doc_id}
named graph        {base}/id/graph/{doc_id}   (one per document; replaced whole)
section            {base}/id/section/{sha(doc_id, path)}
passage            {base}/id/passage/{passage_id}
mention            {base}/id/mention/{sha(passage, start, end, entity)}
measure            {base}/id/measure/{measure_id}
deadline           {base}/id/measure/{measure_id}/deadline/{n}
entity             {base}/id/entity/{entity_key}
=================  ==============================================

>>> Iris("http://x").entity("system-abc")
'http://x/id/entity/system-abc'
"""

from __future__ import annotations

from dataclasses import dataclass

from core.ids import sha


@dataclass(frozen=True)
class Iris:
    base: str

    def _id(self, *parts: str) -> str:
        return f"{self.base.rstrip('/')}/id/" + "/".join(parts)

    def doc(self, doc_id: str) -> str:
        return self._id("doc", doc_id)

    def graph(self, doc_id: str) -> str:
        return self._id("graph", doc_id)

    def section(self, doc_id: str, path: tuple[str, ...]) -> str:
        return self._id("section", sha(doc_id, *path))

    def passage(self, pid: str) -> str:
        return self._id("passage", pid)

    def mention(self, pid: str, start: int, end: int, key: str) -> str:
        return self._id("mention", sha(pid, start, end, key))

    def measure(self, mid: str) -> str:
        return self._id("measure", mid)

    def deadline(self, mid: str, n: int) -> str:
        return self._id("measure", mid, "deadline", str(n))

    def entity(self, key: str) -> str:
        return self._id("entity", key)

    def local(self, iri: str) -> str | None:
        """The part after ``{base}/id/`` of one of our IRIs, else None."""
        prefix = f"{self.base.rstrip('/')}/id/"
        return iri[len(prefix) :] if iri.startswith(prefix) else None
