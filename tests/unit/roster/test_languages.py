"""Languages are ISO 639 codes from the registry, with English and Chinese names (no database)."""

from __future__ import annotations

import pytest

from services.roster.domain.languages import canonical, code_for_word, language, language_name, search


@pytest.mark.parametrize(
    ("code", "kept"),
    [
        ("en", "en"),
        ("ug", "ug"),
        ("uig", "ug"),
        ("ENG", "en"),
        ("sjo", "sjo"),
        ("uz", "uz"),
        (" ru ", "ru"),
        ("kaz", "kk"),
    ],
)
def test_any_iso_639_1_or_639_3_code_is_a_language_kept_in_its_shortest_form(code: str, kept: str) -> None:
    assert canonical(code) == kept


@pytest.mark.parametrize("code", ["", "e", "qqq", "english", "zz", "en-US", "12", "维吾尔语"])
def test_a_code_iso_639_does_not_know_is_not_a_language(code: str) -> None:
    assert canonical(code) is None
    assert language(code) is None


def test_xibe_is_sjo_and_xbe_is_another_language() -> None:
    xibe = language("sjo")
    assert xibe is not None
    assert (xibe.name_en, xibe.name_zh) == ("Xibe", "锡伯语")
    assert language_name("xbe") != "Xibe"


def test_the_regions_languages_have_english_and_chinese_names() -> None:
    names = {
        code: (x.name_en, x.name_zh)
        for code in ("zh", "ug", "kk", "ky", "mn", "ru", "en")
        if (x := language(code)) is not None
    }
    assert names == {
        "zh": ("Chinese", "汉语"),
        "ug": ("Uyghur", "维吾尔语"),
        "kk": ("Kazakh", "哈萨克语"),
        "ky": ("Kyrgyz", "柯尔克孜语"),
        "mn": ("Mongolian", "蒙古语"),
        "ru": ("Russian", "俄语"),
        "en": ("English", "英语"),
    }


def test_other_languages_take_their_names_from_the_registry() -> None:
    french = language("fr")
    assert french is not None
    assert (french.name_en, french.name_zh) == ("French", "法语")


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("维吾尔语", "ug"),
        ("哈萨克语", "kk"),
        ("锡伯语", "sjo"),
        ("英语", "en"),
        ("蒙古语", "mn"),
        ("俄语", "ru"),
        ("柯尔克孜语", "ky"),
        ("汉语", "zh"),
        ("中文", "zh"),
        ("维语", "ug"),
        ("Kazakh", "kk"),
        ("uighur", "ug"),
        ("sjo", "sjo"),
        ("乌兹别克语", "uz"),
        ("法语", "fr"),
    ],
)
def test_a_spreadsheets_language_word_becomes_its_code(word: str, code: str) -> None:
    assert code_for_word(word) == code


def test_a_word_that_names_no_language_has_no_code() -> None:
    assert code_for_word("火星语") is None
    assert code_for_word("xyzzy") is None


def test_a_search_finds_languages_by_code_and_by_english_or_chinese_name() -> None:
    assert search("sjo")[0].code == "sjo"
    assert search("英语")[0].code == "en"
    assert "uz" in [x.code for x in search("Uzbek")]
    assert [x.code for x in search("维吾尔")][:1] == ["ug"]
    assert search("") == []
