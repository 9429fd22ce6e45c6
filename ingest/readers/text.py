"""Plain text and Markdown: encoding detection, newlines normalised to \\n."""

from __future__ import annotations

from policygraph.core.errors import DecodeError, UnsupportedFormat

CANDIDATES = ("cp932", "euc_jp", "iso2022_jp")


def _binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    ctrl = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return ctrl > len(sample) * 0.02


def decode_text(data: bytes, name: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        text = _strict(data[3:], "utf-8", name)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _strict(data, "utf-16", name)
    elif _binary(data):
        raise UnsupportedFormat("binary data, not text", source=name)
    else:
        text = _guess(data, name)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _strict(data: bytes, enc: str, name: str) -> str:
    try:
        return data.decode(enc)
    except UnicodeDecodeError as e:
        raise DecodeError(f"not valid {enc} at byte {e.start}", source=name) from e


def _guess(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(CANDIDATES)).best()
    order = ([best.encoding] if best else []) + list(CANDIDATES)
    for enc in dict.fromkeys(order):
        enc = "cp932" if enc in ("shift_jis", "sjis", "cp932") else enc
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    raise DecodeError("cannot decode as UTF-8, Shift_JIS/CP932, EUC-JP or ISO-2022-JP", source=name)
