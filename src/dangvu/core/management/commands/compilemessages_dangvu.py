"""Compile Dangvu's .po catalogues into .mo files in pure Python (no gettext tools needed)."""

import ast
import struct
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand


def _parse_po(text: str) -> dict[str, str]:
    """msgid -> msgstr for the translated, non-fuzzy entries. A plural entry is stored as .mo
    files store it: "msgid\0msgid_plural" -> "msgstr[0]\0msgstr[1]…"; an entry with a context
    (pgettext) under "msgctxt\x04msgid"."""
    messages: dict[str, str] = {}
    entry: dict | None = None
    pending_fuzzy = False
    pending_context = None
    section = None

    def flush():
        key = entry and (
            entry["id"] if entry["context"] is None else entry["context"] + "\x04" + entry["id"]
        )
        if entry and entry["plural"] is not None:
            forms = [entry["forms"][i] for i in sorted(entry["forms"])]
            if forms and all(forms) and not entry["fuzzy"]:
                messages[key + "\0" + entry["plural"]] = "\0".join(forms)
            return
        usable = entry and entry["str"] is not None and not entry["fuzzy"]
        if usable and (entry["str"] or entry["id"] == ""):
            messages[key] = entry["str"]

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#,"):
            pending_fuzzy = "fuzzy" in line
        elif line.startswith("msgctxt "):
            flush()
            entry, pending_context = None, ast.literal_eval(line[8:])
        elif line.startswith("msgid "):
            flush()
            entry = {
                "context": pending_context,
                "id": ast.literal_eval(line[6:]),
                "str": None,
                "plural": None,
                "forms": {},
                "fuzzy": pending_fuzzy,
            }
            pending_fuzzy, pending_context, section = False, None, "id"
        elif line.startswith("msgid_plural ") and entry is not None:
            entry["plural"], section = ast.literal_eval(line[13:]), "plural"
        elif line.startswith("msgstr[") and entry is not None:
            index = int(line[7 : line.index("]")])
            entry["forms"][index] = ast.literal_eval(line[line.index("]") + 2 :])
            section = index
        elif line.startswith("msgstr ") and entry is not None:
            entry["str"], section = ast.literal_eval(line[7:]), "str"
        elif line.startswith('"') and entry is not None:
            if isinstance(section, int):
                entry["forms"][section] += ast.literal_eval(line)
            else:
                entry[section] += ast.literal_eval(line)
    flush()
    return messages


def write_mo(messages: dict[str, str], path: Path) -> None:
    keys = sorted(messages)
    ids = b""
    strs = b""
    offsets = []
    for key in keys:
        kid, kstr = key.encode(), messages[key].encode()
        offsets.append((len(ids), len(kid), len(strs), len(kstr)))
        ids += kid + b"\0"
        strs += kstr + b"\0"
    n = len(keys)
    key_start = 7 * 4 + 16 * n
    value_start = key_start + len(ids)
    koffsets, voffsets = [], []
    for o1, l1, o2, l2 in offsets:
        koffsets += [l1, o1 + key_start]
        voffsets += [l2, o2 + value_start]
    output = struct.pack("Iiiiiii", 0x950412DE, 0, n, 7 * 4, 7 * 4 + n * 8, 0, 0)
    output += struct.pack(f"{len(koffsets)}i", *koffsets)
    output += struct.pack(f"{len(voffsets)}i", *voffsets)
    output += ids + strs
    path.write_bytes(output)


def compile_stale(locale_dir: Path) -> list[Path]:
    """Compile every catalogue under `locale_dir` whose .mo is missing or older than its .po;
    the .po files compiled. Cheap when nothing changed (one stat per catalogue): the `dangvu`
    command runs it before anything else, so every documented path shows the Vietnamese UI."""
    done = []
    for po in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        try:
            write_mo(_parse_po(po.read_text(encoding="utf-8")), mo)
        except OSError:
            continue  # an installation that cannot be written to: it ships its .mo
        done.append(po)
    return done


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/django.po into .mo (pure Python)."

    def handle(self, *args, **options):
        for locale_dir in settings.LOCALE_PATHS:
            for po in Path(locale_dir).glob("*/LC_MESSAGES/*.po"):
                write_mo(_parse_po(po.read_text(encoding="utf-8")), po.with_suffix(".mo"))
                self.stdout.write(f"compiled {po}")
