"""The stylesheet, written into every page (decision 0012): on a slow link (400 ms a round
trip) a linked stylesheet costs a second round trip before anything can be painted; inside
the page it costs its compressed size (about 5 KB) and no round trip. The Content-Security-
Policy admits exactly this text by its hash."""

import base64
import hashlib
from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.utils.safestring import mark_safe

__all__ = ["stylesheet", "stylesheet_hash"]

PATH = "dangvu/app.css"


@lru_cache(maxsize=1)
def _css() -> str:
    found = finders.find(PATH)
    return Path(found).read_text(encoding="utf-8") if found else ""


def stylesheet() -> str:
    """The page's <style> element."""
    return mark_safe(f"<style>{_css()}</style>")  # our own file, not user input


@lru_cache(maxsize=1)
def stylesheet_hash() -> str:
    """The CSP source that admits the <style> element: 'sha256-…' of its text."""
    digest = hashlib.sha256(_css().encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"
