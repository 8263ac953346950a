"""Reading a table a committee brings: an Excel workbook (XLSX, its first sheet) or a CSV file
in the encoding its software wrote (UTF-8, or Windows-1258 / Windows-1252 from older
Vietnamese software), separated by commas, semicolons or tabs.

Rows are read one by one (openpyxl's read-only mode, the csv module over a text stream): a
100,000-row file is never held as a list of cells. Values stay as the file has them (text,
numbers, dates); memberfile turns them into record fields."""

import codecs
import csv
import io
import itertools
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from dangvu.core.errors import ValidationError

__all__ = ["Table", "read_table", "detect_encoding", "TABLE_KINDS"]

TABLE_KINDS = ("xlsx", "csv")
# Letters only Vietnamese text has (after NFC); a Windows-1258 file decoded as 1252 has none.
_VIETNAMESE = set("ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")


@dataclass
class Table:
    """A file's header row and an iterator over its other rows: (line in the file, values)."""

    kind: str
    encoding: str  # of a CSV; "" for a workbook
    headers: list[str]
    rows: Iterator[tuple[int, list]]
    header_line: int = 1
    size: int = 0  # the rows the file says it has (an estimate, for progress)


def detect_encoding(head: bytes) -> str:
    """UTF-8 (with or without its byte-order mark) when the bytes decode so; otherwise the one
    of Windows-1258 and Windows-1252 under which the text reads as Vietnamese."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the end of the sample is still UTF-8.
        if exc.start >= len(head) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
    as_1258 = unicodedata.normalize("NFC", head.decode("cp1258", errors="replace"))
    if sum(ch in _VIETNAMESE for ch in as_1258) > 0 and any(
        0x300 <= ord(ch) <= 0x323 for ch in head.decode("cp1258", errors="replace")
    ):
        return "cp1258"
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "cp1258"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text) if not text.isascii() else text


def _read_csv(data: bytes) -> Table:
    encoding = detect_encoding(data[:65536])
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="replace", newline="")
    first = stream.readline()
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
    try:
        header = next(csv.reader([first], delimiter=delimiter), [])
    except csv.Error:
        raise ValidationError({"file": _("The first line cannot be read as CSV.")}) from None
    reader = csv.reader(stream, delimiter=delimiter)

    def rows():
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error:
                raise ValidationError(
                    {"file": _("Line %(n)d cannot be read as CSV.") % {"n": reader.line_num + 1}}
                ) from None
            if any(v.strip() for v in values):
                yield reader.line_num + 1, [_nfc(v) for v in values]

    return Table(
        "csv", encoding, [_nfc(h) for h in header], rows(), size=max(data.count(b"\n") - 1, 0)
    )


def _filled(values) -> int:
    return sum(v not in (None, "") for v in values)


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise ValidationError({"file": _("The Excel file cannot be read (damaged?).")}) from None
    try:
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        first_rows = [next(it, None) for _i in range(10)]
    except Exception:  # noqa: BLE001 - as above
        raise ValidationError({"file": _("The Excel file cannot be read (damaged?).")}) from None
    header_line, header = 0, []
    # The header is the first row with at least two filled cells: a title above it is skipped
    # (the exports put the organisation and date there).
    present = [r for r in first_rows if r is not None]
    header_line = next(
        (n for n, values in enumerate(present, start=1) if _filled(values) >= 2), len(present)
    )
    if present and _filled(present[header_line - 1]) >= 2:
        header = ["" if v is None else _nfc(str(v)) for v in present[header_line - 1]]
    # The rows read past the header while looking for it come first.
    rest = [r for r in first_rows[header_line:] if r is not None]
    it = itertools.chain(rest, it)

    def rows():
        line = header_line
        try:
            for line, values in enumerate(it, start=header_line + 1):
                if any(v not in (None, "") for v in values):
                    yield line, [_nfc(v) if isinstance(v, str) else v for v in values]
        except ValidationError:
            raise
        except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a damaged sheet
            raise ValidationError(
                {"file": _("Row %(n)d of the Excel file cannot be read.") % {"n": line + 1}}
            ) from None
        finally:
            wb.close()

    size = max((ws.max_row or 0) - header_line, 0)
    return Table("xlsx", "", header, rows(), header_line, size)


def read_table(data: bytes, name: str) -> Table:
    """The table in a file's bytes; the kind is read from the bytes (a ZIP is a workbook), the
    name only tells a CSV from other text. ValidationError (field "file") otherwise."""
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                is_workbook = "xl/workbook.xml" in z.namelist()
        except zipfile.BadZipFile:
            is_workbook = False
        if not is_workbook:
            raise ValidationError({"file": _("This ZIP file is not an Excel workbook (XLSX).")})
        return _read_xlsx(data)
    if data.startswith((b"\xd0\xcf\x11\xe0", b"%PDF")) or b"\x00" in data[:4096]:
        raise ValidationError(
            {"file": _("Only Excel (XLSX) and CSV files can be imported: save the file as XLSX.")}
        )
    if not data.strip():
        raise ValidationError({"file": _("The file is empty.")})
    if not name.lower().endswith((".csv", ".txt", ".tsv")):
        raise ValidationError({"file": _("Only Excel (XLSX) and CSV files can be imported.")})
    return _read_csv(data)
