"""Kanji numerals, the one definition every pattern over them is built from (statutes
number articles, laws and items with them: 第百二十条, 法律第百六十二号, 一 …), and the
other sequences Japanese documents number their items with (ア イ ウ, i ii iii)."""

from __future__ import annotations

KANJI_0_9 = "〇一二三四五六七八九"
KANJI_1_9 = KANJI_0_9[1:]
KANJI_DIGITS = KANJI_0_9 + "十百千"  # what statutes number articles and laws with
KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"  # (ア) ア イ ウ …
ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"]  # (i) Ⅰ …
