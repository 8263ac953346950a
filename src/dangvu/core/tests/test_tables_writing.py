"""Writing a table (core.tables): a text longer than Excel's cell holds is cut and marked in
the workbook (the CSV keeps it whole); a text beginning with "=" stays text; two tables may not
share a file name."""

import csv
import io

import pytest
from openpyxl import load_workbook

from dangvu.core.tables import CELL_MAX, SPECS, Column, TableSpec, write_table


def test_a_long_text_is_cut_in_the_workbook_and_whole_in_the_csv():
    long = "ă" * (CELL_MAX + 10)
    columns = [Column("Ghi chú"), Column("Công thức")]
    out, n = write_table("xlsx", title=["T"], columns=columns, rows=[[long, "=1+1"]])
    ws = load_workbook(io.BytesIO(out.read())).worksheets[0]
    assert n == 1
    assert len(ws["A3"].value) == CELL_MAX and ws["A3"].value.endswith("…")
    assert ws["B3"].value == "=1+1" and ws["B3"].data_type == "s"
    out, _n = write_table("csv", title=["T"], columns=columns, rows=[[long, "=1+1"]])
    rows = list(csv.reader(io.StringIO(out.read().decode("utf-8-sig"))))
    assert rows[1][0] == long


def test_two_tables_may_not_share_a_name():
    TableSpec("thu-nghiem-mot-lan", "T", (Column("A", key="a"),))
    try:
        with pytest.raises(ValueError, match="declared twice"):
            TableSpec("thu-nghiem-mot-lan", "T", (Column("A", key="a"),))
    finally:
        SPECS.pop("thu-nghiem-mot-lan")
