"""archive.normalize: folding for search and the content hash's idea of "the same text"."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.normalize import (
    _FOLD,
    clean,
    clean_all,
    content_hash_fields,
    fold,
    join_body,
    nfc,
    split_body,
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Điện", "dien"),
        ("ĐIỆN LỰC", "dien luc"),
        ("Khoa học và Công nghệ", "khoa hoc va cong nghe"),
        ("Đà Nẵng, Quảng Nam", "da nang, quang nam"),
        ("KH,CN&ĐMST", "kh,cn&dmst"),
        ("ưu đãi ỡ ỹ", "uu dai o y"),
        ("plain ascii 123", "plain ascii 123"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded
    assert fold(unicodedata.normalize("NFD", text)) == folded


@given(st.text())
def test_fold_is_idempotent_and_accentless(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert not any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", once))
    assert "đ" not in once and "Đ" not in once


def test_nfc_and_clean() -> None:
    nfd = unicodedata.normalize("NFD", "Việt")
    assert nfc(nfd) == "Việt" and nfd != "Việt"
    assert clean(" a\u00a0\u200b b \n c ") == "a b c"
    assert clean(None) == ""
    assert split_body(join_body(["a", "b"])) == ["a", "b"] and split_body("") == []


def _hash(**kw: object) -> str:
    base: dict[str, object] = {
        "title": "T",
        "lead": "L",
        "body": ["p1", "p2"],
        "source": "S",
        "images": [("http://h/1.jpg", "c")],
        "attachments": [],
    }
    base.update(kw)
    return content_hash_fields(**base)  # type: ignore[arg-type]


def test_content_hash_sees_content_not_form() -> None:
    h = _hash()
    assert _hash(title=" T\u00a0") == h
    assert _hash(body=["p1", "", "p2"]) == h
    assert _hash(title="T2") != h
    assert _hash(body=["p2", "p1"]) != h
    assert _hash(images=[("http://h/1.jpg", "c2")]) != h
    assert _hash(images=[("http://h/2.jpg", "c")]) != h
    assert _hash(attachments=[("http://h/a.pdf", "A")]) != h
    assert _hash(source=None) != h


TRICKY = [
    None,
    "",
    " ",
    "  Điện  lực\u00a0miền\tTrung ",
    "e\u0301 tách dấu",  # NFD: composed first
    "\u0301bắt đầu bằng dấu",
    "ẩn\u200bgiữa\u00adchữ",
    "dòng\u2028mới",
    "\x1fđơn vị",
    "ASCII  only\n\ntext",
    "ĐIỆN  Ð ı İ ß",
]


def test_clean_all_is_clean_of_each() -> None:
    texts = [t for t in TRICKY] + [a + b for a in TRICKY[2:] for b in TRICKY[2:]]
    assert clean_all(texts) == [clean(t) for t in texts]
    assert clean_all(["a\x00b", " c "]) == ["a\x00b", "c"]  # the separator itself, kept
    assert clean_all([]) == [] and clean_all([" x "]) == ["x"]


def test_fold_by_words_is_fold_by_characters() -> None:
    for text in (t for t in TRICKY if t):
        expected = unicodedata.normalize("NFC", text).lower().translate(_FOLD)
        assert fold(text) == expected
        assert fold(text) == expected  # the second time from the remembered words
    assert fold("ĐIỆN  Lực") == "dien  luc"


@given(st.lists(st.one_of(st.none(), st.text()), max_size=6))
def test_clean_all_is_clean_of_each_for_any_text(texts: list[str | None]) -> None:
    assert clean_all(texts) == [clean(t) for t in texts]


@given(st.text())
def test_fold_by_words_is_fold_by_characters_for_any_text(text: str) -> None:
    assert fold(text) == unicodedata.normalize("NFC", text).lower().translate(_FOLD)
