"""Kanji printed as CJK radicals of the same shape.

PDF text layers often print a kanji as the radical that looks like it: 官⺠ for 官民, ⻑ for
長, ⼩ for 小.  NFKC maps the Kangxi radicals (U+2F00–2FD5) to their kanji but not the CJK
Radicals Supplement (U+2E80–2EFF), and Sudachi and the embedder's tokenizer read neither as
the kanji, so search, parsing and name matching would each see another word.  The
supplement's table here is Unicode's EquivalentUnifiedIdeograph.txt for U+2E81–2EF3,
radical then ideograph; the Kangxi radicals map by NFKC.  Every mapping is one character to
one, so offsets stay valid.

>>> unify_radicals("官⺠協議会の⻑が⼩さい"), len(RADICALS)
('官民協議会の長が小さい', 114)
"""

from __future__ import annotations

import unicodedata

_RADICAL_PAIRS = (
    "⺁厂⺂乛⺃乚⺄乙⺅亻⺆冂⺇𠘨⺈刀⺉刂⺊卜⺋㔾⺌小⺍小⺎兀⺏尣⺐尢⺑𡯂⺒巳⺓幺⺔彑⺕彐⺖忄⺗心⺘扌⺙攵⺛旡⺜日⺝月⺞歺⺟母"
    "⺠民⺡氵⺢氺⺣灬⺤爫⺥爫⺦丬⺧牛⺨犭⺩王⺪𤴔⺫目⺬示⺭礻⺮𥫗⺯糹⺰纟⺱罓⺲罒⺳㓁⺴冗⺵𦉫⺶羊⺷𦍌⺸𦍋⺹耂⺺肀⺻聿⺼肉⺽𦥑"
    "⺾艹⺿艹⻀艹⻁虎⻂衤⻃覀⻄西⻅见⻆角⻇𧢲⻈讠⻉贝⻊𧾷⻋车⻌辶⻍辶⻎辶⻏邑⻐钅⻑長⻒镸⻓长⻔门⻕𨸏⻖阝⻗雨⻘青⻙韦⻚页⻛风"
    "⻜飞⻝食⻞𩙿⻟飠⻠饣⻡𩠐⻢马⻣骨⻤鬼⻥鱼⻦鸟⻧卤⻨麦⻩黄⻪黾⻫斉⻬齐⻭歯⻮齿⻯竜⻰龙⻱龜⻲亀⻳龟")
RADICALS = {_RADICAL_PAIRS[i]: _RADICAL_PAIRS[i + 1] for i in range(0, len(_RADICAL_PAIRS), 2)}
_KANGXI = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0x2F00, 0x2FD6)}
_TABLE = str.maketrans({**RADICALS, **_KANGXI})


def unify_radicals(text: str) -> str:
    """``text`` with every CJK radical (of the Supplement or Kangxi block) that stands for a
    kanji replaced by that kanji (same length)."""
    return text.translate(_TABLE)
