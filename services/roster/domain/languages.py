"""Languages are ISO 639 codes, checked against the ISO 639-3 registry that ships with `pycountry` (the
Debian iso-codes data, offline, with its Chinese translations).

A code is any ISO 639-1 (`en`, `ug`) or ISO 639-3 (`sjo`, `uig`) code; it is kept in its shortest form
(`uig` -> `ug`), so a pattern's `ug` and a lawyer's `uig` are the same language for rule 4. Display names
come from the registry in English and Chinese; for the languages of the region our own names win where the
registry's are dated or list several (`Uighur`, `中文; 汉语; 华语`). Spreadsheets name languages in Chinese
(维吾尔语, 锡伯语, 英语) or English: `code_for_word` reads those, and the short forms schedulers write (维语, 汉).
Xibe is `sjo`; `xbe` (which this project once used for it) is Bigambal, an Australian language.
"""

from __future__ import annotations

import functools
import gettext
import re
from dataclasses import dataclass

import pycountry

# the languages of the region, listed first and named by us (English, Chinese)
REGION_LANGUAGES: dict[str, tuple[str, str]] = {
    "zh": ("Chinese", "汉语"),
    "ug": ("Uyghur", "维吾尔语"),
    "kk": ("Kazakh", "哈萨克语"),
    "ky": ("Kyrgyz", "柯尔克孜语"),
    "mn": ("Mongolian", "蒙古语"),
    "sjo": ("Xibe", "锡伯语"),
    "ru": ("Russian", "俄语"),
    "uz": ("Uzbek", "乌孜别克语"),
    "tg": ("Tajik", "塔吉克语"),
    "tt": ("Tatar", "塔塔尔语"),
    "en": ("English", "英语"),
}
# short and older names schedulers write in spreadsheets
WORDS: dict[str, str] = {
    **dict.fromkeys(("汉", "汉语", "中文", "普通话", "国语", "国家通用语言", "华语", "mandarin"), "zh"),
    **dict.fromkeys(("维", "维吾尔", "维吾尔语", "维语", "uighur", "uygur"), "ug"),
    **dict.fromkeys(("哈", "哈萨克", "哈萨克语", "哈语"), "kk"),
    **dict.fromkeys(("蒙", "蒙古", "蒙古语", "蒙语"), "mn"),
    **dict.fromkeys(("柯", "柯尔克孜", "柯尔克孜语", "柯语", "吉尔吉斯语", "kirghiz"), "ky"),
    **dict.fromkeys(("俄", "俄语", "俄罗斯语"), "ru"),
    **dict.fromkeys(("锡伯", "锡伯语", "锡伯文", "sibe"), "sjo"),
    **dict.fromkeys(("乌孜别克", "乌孜别克语", "乌兹别克语"), "uz"),
    **dict.fromkeys(("塔吉克", "塔吉克语"), "tg"),
    **dict.fromkeys(("塔塔尔", "塔塔尔语"), "tt"),
    **dict.fromkeys(("英", "英语", "英文"), "en"),
}
_CODE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class Language:
    code: str  # ISO 639-1 where there is one, else ISO 639-3
    name_en: str
    name_zh: str


@functools.cache
def _chinese() -> gettext.NullTranslations:
    return gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=["zh_CN"], fallback=True)


def canonical(code: str) -> str | None:
    """The code as kept (ISO 639-1 if the language has one, else ISO 639-3), or None when ISO 639 has no
    such language."""
    text = code.strip().lower()
    if not _CODE.match(text):
        return None
    entry = pycountry.languages.get(**{"alpha_2" if len(text) == 2 else "alpha_3": text})
    if entry is None:
        return None
    return str(getattr(entry, "alpha_2", None) or entry.alpha_3)


def _entry(code: str) -> object | None:
    return pycountry.languages.get(**{"alpha_2" if len(code) == 2 else "alpha_3": code})


def _first(names: str) -> str:
    return names.split(";")[0].strip()


@functools.cache
def language(code: str) -> Language | None:
    """A code's names in English and Chinese (None for a code that is not ISO 639)."""
    kept = canonical(code)
    if kept is None:
        return None
    if kept in REGION_LANGUAGES:
        return Language(kept, *REGION_LANGUAGES[kept])
    entry = _entry(kept)
    name = str(getattr(entry, "name", kept))
    return Language(kept, _first(name), _first(_chinese().gettext(name)))


def language_name(code: str) -> str:
    """The English name of a language code, for messages a scheduler reads (the code itself if unknown)."""
    found = language(code)
    return found.name_en if found else code


@functools.cache
def _names() -> dict[str, str]:
    """Every registry name, English and Chinese, lower-cased -> code (our own words win)."""
    out: dict[str, str] = {}
    translate = _chinese().gettext
    for entry in pycountry.languages:
        code = str(getattr(entry, "alpha_2", None) or entry.alpha_3)
        for names in {entry.name, translate(entry.name)}:
            for name in names.split(";"):
                out.setdefault(name.strip().lower(), code)
    for code, (en, zh) in REGION_LANGUAGES.items():
        out[en.lower()] = out[zh] = code
    out.update(WORDS)
    return out


def code_for_word(word: str) -> str | None:
    """The code a spreadsheet's word means: a code (`en`, `sjo`), a Chinese name (维吾尔语, 锡伯语, 英语), an
    English name (Kazakh) or a short form (维语, 汉); None when it names no language."""
    text = word.strip()
    return canonical(text) or _names().get(text.lower())


def search(query: str, *, limit: int = 50) -> list[Language]:
    """Languages whose code is `query` or whose English or Chinese name contains it (the region's first)."""
    text = query.strip().lower()
    if not text:
        return []
    hits: list[str] = []
    exact = code_for_word(text)
    if exact:
        hits.append(exact)
    for name, code in _names().items():
        if text in name and code not in hits:
            hits.append(code)
    hits.sort(key=lambda c: (c != exact, c not in REGION_LANGUAGES, len(c), c))
    return [found for found in (language(c) for c in hits[:limit]) if found is not None]
