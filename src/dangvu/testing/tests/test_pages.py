"""Every page the role × route matrix visits, read as the person sees it: no English left in
the Vietnamese UI (a string of the catalogue shown untranslated), and light enough for a slow
link (at most 30 KB of HTML once compressed)."""

import gzip
import html
import re
from pathlib import Path

import pytest
from django.db import transaction

from dangvu.testing.matrix import build_world, pages

pytestmark = pytest.mark.django_db

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "vi" / "LC_MESSAGES" / "django.po"
MAX_COMPRESSED = 30 * 1024
_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]+\}")


def english_phrases() -> set[str]:
    """Phrases of the catalogue's English that the Vietnamese UI must never show: each piece of
    a translated msgid between its placeholders, of two words or more."""
    from dangvu.core.management.commands.compilemessages_dangvu import _parse_po

    out = set()
    for msgid, msgstr in _parse_po(CATALOGUE.read_text(encoding="utf-8")).items():
        if not msgid or "\0" in msgid or msgstr == msgid:
            continue
        for piece in _PLACEHOLDER.split(msgid):
            piece = piece.strip(" .,:;()“”\"'—-")
            if len(piece.split()) >= 2 and re.search(r"[a-z]{3}", piece):
                out.add(piece)
    return out


def visible_text(content: str) -> str:
    """What a person reads or hears: the text, and the attributes shown or spoken."""
    content = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", content)
    said = re.findall(r'(?i)\b(?:placeholder|title|aria-label|alt)="([^"]*)"', content)
    buttons = re.findall(r'(?i)<input[^>]*type="submit"[^>]*value="([^"]*)"', content)
    text = re.sub(r"<[^>]+>", " ", content)
    return html.unescape(" ".join([text, *said, *buttons]))


@pytest.fixture(scope="module")
def seen(django_db_setup, django_db_blocker):
    """Every page as every signed-in actor of the matrix, read once for the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        out = [
            (
                f"{actor.name} {url}",
                response.status_code,
                # A download (a file, a workbook, a calendar) is no page.
                response.content
                if response.get("Content-Type", "").startswith("text/html")
                and not response.streaming
                else b"",
            )
            for _route, actor, url, response in pages(world)
        ]
        transaction.set_rollback(True)
    return out


def test_the_vietnamese_ui_shows_no_english_of_the_catalogue(seen):
    phrases = english_phrases()
    assert len(phrases) > 200  # the check reads the real catalogue
    found = []
    for where, _status, content in seen:
        text = " ".join(visible_text(content.decode()).split())
        found += [f"{where}: {p!r}" for p in phrases if p in text]
    assert not found, "\n".join(sorted(set(found))[:40])


def test_every_page_is_at_most_30_kb_compressed(seen):
    heavy = [
        f"{where}: {len(gzip.compress(content)) // 1024} KB"
        for where, _status, content in seen
        if len(gzip.compress(content)) > MAX_COMPRESSED
    ]
    assert not heavy, heavy
    assert len(seen) > 40


def test_the_check_finds_an_untranslated_string():
    page = '<p>Xin chào</p><input placeholder="Type part of the name, or the code">'
    assert "Type part of the name, or the code" in visible_text(page)
    assert "Type part of the name, or the code" in english_phrases()
