"""The console's language: Chinese first, English by switch; one message catalogue compiled at start.

The message ids are English and `translations/zh/LC_MESSAGES/messages.po` holds the Chinese of every
one (a test checks none is missing). The .po is compiled into the data directory when the app starts, so
no compiled file lives in the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import request, session

SOURCE = Path(__file__).parent / "translations"
LANGUAGES = ("zh", "en")
DEFAULT = "zh"
LANG_COOKIE = "lang"
HTML_LANG = {"zh": "zh-CN", "en": "en"}


def compile_catalogues(target: Path) -> Path:
    """Compile every .po under translations/ into `target` (same layout); returns `target`."""
    for po in SOURCE.glob("*/LC_MESSAGES/*.po"):
        mo = target / po.relative_to(SOURCE).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as source:
            catalogue = read_po(source, locale=po.parts[-3])
        partial = mo.with_suffix(f".mo.{os.getpid()}.tmp")  # workers may compile at once: each its own file
        with partial.open("wb") as out:
            write_mo(out, catalogue)
        partial.replace(mo)
    return target


def chosen_language() -> str:
    """?lang= first (remembered in a cookie by the app), then the cookie, then Accept-Language, then zh."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    remembered = request.cookies.get(LANG_COOKIE) or session.get("lang")
    if remembered in LANGUAGES:
        return remembered
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT) or DEFAULT
