"""Deterministic ids: same input, same ids."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_SAFE = re.compile(r"^[A-Za-z0-9_.-]{1,80}$")


def sha(*parts: object, n: int = 16) -> str:
    """Short sha256 over the parts, joined by NUL.

    >>> sha("a", 1) == sha("a", 1)
    True
    >>> len(sha("x"))
    16
    """
    h = hashlib.sha256("\x00".join(str(p) for p in parts).encode("utf-8"))
    return h.hexdigest()[:n]


def document_id(source_name: str) -> str:
    """URL-safe id of a document, from its file's base name.

    >>> document_id("000_6cbd8586bd489b7f.txt")
    '000_6cbd8586bd489b7f'
    >>> document_id("通達.txt").startswith("d")
    True
    """
    stem = source_name.rsplit(".", 1)[0] if "." in source_name else source_name
    if _SAFE.match(stem):
        return stem
    return "d" + sha(source_name)


def entity_key(type_: str, label: str) -> str:
    """URL-safe key of an entity from its type and canonical label.

    >>> entity_key("System", "警察共通基盤") == entity_key("System", "警察共通基盤")
    True
    """
    norm = unicodedata.normalize("NFKC", label)
    return f"{type_.lower()}-{sha(type_, norm, n=12)}"
