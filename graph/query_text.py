"""What a SPARQL query text is, read from its tokens without evaluating it.

The read-only routes refuse SPARQL Update and federated queries (``SERVICE``: the store,
embedded Oxigraph included, would fetch any URL a client names, from inside our
network).  Both are decided here, from a token scan that follows the SPARQL 1.1 grammar's
terminals closely enough that a keyword can only hide where the store's parser would not
see it either:

* strings, IRI references and comments are opaque;
* variables, blank node labels, language tags and numbers are single tokens;
* a prefixed name is one token, its local part dots and all (``ex:a.b``), so a keyword
  glued to punctuation (``{} .SERVICE <…>``, ``OPTIONAL{}SERVICE``) is still a keyword;
* Oxigraph's parser takes a keyword wherever its letters start a token, with no word
  boundary after it (``SERVICE:x``, ``SERVICEp:x`` and ``SERVICEx:y`` are ``SERVICE``
  followed by an IRI), so any word or prefix that starts with ``SERVICE`` is one;
* ``\\uXXXX`` / ``\\UXXXXXXXX`` escapes are decoded first, as SPARQL 1.1 §19.2 says a
  parser may, so an escaped keyword (``\\u0053ERVICE``) is a keyword here even where
  the store would only call it a syntax error.

Erring towards refusing: a prefix named ``service:`` or ``services:`` is refused with the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policygraph.core.errors import QueryRefused

UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD",
                          "WITH", "USING"})
QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
READ_ONLY = "SPARQL Update is not allowed on this endpoint (it is read-only)"

# strings (long first), IRI references and comments: what may hide keywords
OPAQUE = re.compile(
    r"""'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\""""
    r"""|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*"|<[^<>"{}|^`\\\x00-\x20]*>|\#[^\n\r]*""",
    re.S,
)
_LOCAL_ESCAPE = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_TOKEN = re.compile(
    r"(?P<var>[?$][\w\u00b7\u0300-\u036f\u203f\u2040]*)"
    r"|(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)"
    r"|(?P<bnode>_:[\w.\-]*)"
    # a prefixed name: PN_PREFIX? ':' PN_LOCAL (dots inside the local part, never at its end)
    r"|(?P<pname>(?P<prefix>[^\W\d_][\w.\-]*)?:(?:[\w:%\-]|" + _LOCAL_ESCAPE + r"|\.(?=[\w:%\-\\]))*)"
    r"|(?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
)
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _unescape(query: str) -> str:
    def char(m: re.Match[str]) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except (ValueError, OverflowError):
            return m.group(0)

    return _UCHAR.sub(char, query)


def tokens(query: str) -> tuple[list[str], set[str]]:
    """(the bare words of a query, upper-cased, in order; its prefixes, upper-cased).

    >>> tokens('PREFIX ex: <x:> SELECT ?service { ?s ex:a.service "SERVICE" } # SERVICE')
    (['PREFIX', 'SELECT'], {'EX'})
    >>> tokens("SELECT * { {} .SERVICE <http://h/> {} }")[0]
    ['SELECT', 'SERVICE']
    >>> tokens("SELECT * { SERVICE:x {} }")
    (['SELECT'], {'SERVICE'})
    """
    words: list[str] = []
    prefixes: set[str] = set()
    for m in _TOKEN.finditer(OPAQUE.sub(" ", _unescape(query))):
        if m.group("word"):
            words.append(m.group("word").upper())
        elif m.group("prefix"):
            prefixes.add(m.group("prefix").upper())
    return words, prefixes


@dataclass(frozen=True)
class QueryShape:
    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE | UPDATE | "" (not recognisable: the parser will say)
    has_dataset: bool  # FROM / FROM NAMED in the query
    federated: bool = False  # SERVICE (the store would fetch other endpoints)

    @property
    def kind(self) -> str | None:
        return {"SELECT": "solutions", "ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}.get(self.form)


def query_shape(query: str) -> QueryShape:
    """What a query text is, from its keywords outside strings, IRIs and comments.

    No evaluation (a SPARQL parser that evaluates, such as running the query on an empty
    store, can be made to spin).  SPARQL 1.1 query syntax has none of the update keywords
    as bare words, so any of them makes the text an update.

    >>> query_shape('PREFIX drop: <x:> SELECT ?insert FROM <g> WHERE { ?s drop:x "DELETE" } # CLEAR')
    QueryShape(form='SELECT', has_dataset=True, federated=False)
    >>> query_shape("select * { ?s ?p ?o } ; INSERT DATA { <a> <b> <c> }").form
    'UPDATE'
    """
    words, prefixes = tokens(query)
    if UPDATE_WORDS.intersection(words):
        return QueryShape("UPDATE", False)
    form = next((w for w in words if w not in ("BASE", "PREFIX")), "")
    federated = any(w.startswith("SERVICE") for w in (*words, *prefixes))
    return QueryShape(form if form in QUERY_FORMS else "", "FROM" in words, federated)


def check_read_only(query: str) -> QueryShape:
    """Refuse SPARQL Update and federated queries on read-only routes (HTTP 403)."""
    shape = query_shape(query)
    if shape.form == "UPDATE":
        raise QueryRefused(READ_ONLY)
    if shape.federated:
        raise QueryRefused("federated queries (SERVICE) are not allowed on this endpoint")
    return shape


def has_base(query: str) -> bool:
    """Whether the query opens with its own BASE."""
    return bool(re.search(r"(?i)^\s*BASE\b", OPAQUE.sub(" ", query)))
