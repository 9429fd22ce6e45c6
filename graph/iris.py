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
law article        {base}/id/entity/{law_key}/article/{n}[_{m}][/paragraph/{p}][/item/{i}]
citation           {base}/id/citation/{sha(passage, start, end, law, article)}
=================  ==============================================

>>> Iris("http://x").entity("system-abc")
'http://x/id/entity/system-abc'
>>> Iris("http://x").article("dokoho", "第103条の2第3項")
'http://x/id/entity/dokoho/article/103_2/paragraph/3'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policygraph.core.ids import sha

_ARTICLE = re.compile(r"第(\d+)条(?:の(\d+))?(?:第(\d+)項)?(?:第(\d+)号)?")
_SEGMENT = r"[A-Za-z0-9_\-][A-Za-z0-9_.\-]{0,127}"  # a URL-safe id, never '.' or '..'
# the local part (after {base}/id/) of every IRI the scheme mints
_LOCAL = re.compile(
    rf"(?P<kind>doc|graph|section|passage|mention|citation)/{_SEGMENT}"
    rf"|(?P<measure>measure)/{_SEGMENT}(?:/deadline/[0-9]{{1,6}})?"
    rf"|(?P<entity>entity)/{_SEGMENT}(?:/article/[0-9]{{1,5}}(?:_[0-9]{{1,5}})?"
    r"(?:/paragraph/[0-9]{1,5})?(?:/item/[0-9]{1,5})?)?"
)


def local_kind(local: str) -> str | None:
    """The kind of resource a local part (after ``{base}/id/``) names when it has one of
    the scheme's shapes (``doc``, ``graph``, ``measure``, ``entity``, …), else None.

    >>> local_kind("entity/dokoho/article/103_2/paragraph/3"), local_kind("measure/ab12/deadline/0")
    ('entity', 'measure')
    >>> local_kind("entity/x> ?p ?o"), local_kind("graph/a b"), local_kind("doc/.."), local_kind("nope/x")
    (None, None, None, None)
    """
    m = _LOCAL.fullmatch(local)
    if m is None:
        return None
    return m.group("kind") or m.group("measure") or m.group("entity")


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

    def article(self, law_key: str, article: str) -> str:
        """ELI-style subdivision of a law: its article, paragraph and item."""
        m = _ARTICLE.fullmatch(article)
        if m is None:
            raise ValueError(f"not a canonical article reference: {article!r}")
        art, sub, para, item = m.groups()
        parts = ["entity", law_key, "article", art + (f"_{sub}" if sub else "")]
        parts += ["paragraph", para] if para else []
        parts += ["item", item] if item else []
        return self._id(*parts)

    def citation(self, pid: str, start: int, end: int, law_key: str, article: str) -> str:
        return self._id("citation", sha(pid, start, end, law_key, article))

    def local(self, iri: str) -> str | None:
        """The part after ``{base}/id/`` of one of our IRIs, else None."""
        prefix = f"{self.base.rstrip('/')}/id/"
        return iri[len(prefix) :] if iri.startswith(prefix) else None
