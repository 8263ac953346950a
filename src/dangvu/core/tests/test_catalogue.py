"""The pure-Python catalogue compiler: what gettext's own tools would write, plurals too."""

import gettext

from dangvu.core.management.commands.compilemessages_dangvu import _parse_po, write_mo

PO = r"""
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=1; plural=0;\n"

msgid "Due now"
msgstr "Việc đến hạn"

#, fuzzy
msgid "Draft"
msgstr "Nháp"

msgid "%(n)s member found"
msgid_plural "%(n)s members found"
msgstr[0] "Tìm thấy %(n)s "
"đảng viên"

msgid "Untranslated"
msgstr ""

msgid "Plan"
msgstr "Lên lịch"

msgctxt "document kind"
msgid "Plan"
msgstr "Kế hoạch"
"""


def test_plurals_fuzzy_and_empty_entries_compile_as_gettext_reads_them(tmp_path):
    path = tmp_path / "django.mo"
    write_mo(_parse_po(PO), path)
    with path.open("rb") as f:
        catalogue = gettext.GNUTranslations(f)
    assert catalogue.gettext("Due now") == "Việc đến hạn"
    assert catalogue.ngettext("%(n)s member found", "%(n)s members found", 5) == (
        "Tìm thấy %(n)s đảng viên"
    )
    assert catalogue.gettext("Draft") == "Draft"  # fuzzy: not used
    assert catalogue.gettext("Untranslated") == "Untranslated"
    # A context keeps its own translation and leaves the plain one alone.
    assert catalogue.gettext("Plan") == "Lên lịch"
    assert catalogue.pgettext("document kind", "Plan") == "Kế hoạch"


def test_stale_or_missing_catalogues_are_compiled_and_fresh_ones_left(tmp_path):
    import os

    from dangvu.core.management.commands.compilemessages_dangvu import compile_stale

    po = tmp_path / "vi" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(PO, encoding="utf-8")
    assert compile_stale(tmp_path) == [po]  # missing
    assert compile_stale(tmp_path) == []  # fresh
    mo = po.with_suffix(".mo")
    os.utime(mo, (1, 1))
    assert compile_stale(tmp_path) == [po]  # older than its .po
