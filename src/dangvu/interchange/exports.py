"""Lists leaving Dangvu as files: the member list of an organisation (the columns the person
chooses) as XLSX or CSV, and the template a committee fills to import its members.

Sensitive columns (ethnicity, religion, date of birth, identity number, phone: the registry's
sensitive fields of a member) are given only where the person may see them for EVERY member
the list could hold, and only with a reason, which the audit log keeps with the list's
organisation, columns and size (docs/decisions/0025)."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangvu.accounts.scoping import allows, covers_all
from dangvu.audit.services import AuditEntry, audit_record
from dangvu.core.errors import ValidationError
from dangvu.core.tables import Column, write_table
from dangvu.core.text import clean_text
from dangvu.interchange.memberfile import ORGANISATION
from dangvu.members.apps import SENSITIVE_FIELDS
from dangvu.members.choices import Status
from dangvu.members.fields import RECORD, record_field
from dangvu.members.selectors import member_list
from dangvu.organisations.models import Organisation

__all__ = [
    "MEMBER_COLUMNS",
    "DEFAULT_COLUMNS",
    "REASON_MIN",
    "ExportColumn",
    "members_export",
    "member_columns",
    "import_template",
]

REASON_MIN = 10  # characters: "báo cáo" is not a reason


@dataclass(frozen=True)
class ExportColumn:
    name: str
    label: object
    kind: str = "text"  # core.tables.Column kinds
    sensitive: bool = False
    width: int = 18


def _record_column(name: str) -> ExportColumn:
    f = record_field(name)
    kind = "date" if f.kind == "date" else "text"
    width = 28 if name == "full_name" else 14 if f.kind in ("date", "digits") else 20
    return ExportColumn(name, f.label, kind, name in SENSITIVE_FIELDS, width)


MEMBER_COLUMNS: dict[str, ExportColumn] = {
    "ordinal": ExportColumn("ordinal", gettext_lazy("No."), "int", width=6),
    **{f.name: _record_column(f.name) for f in RECORD},
    "status": ExportColumn("status", gettext_lazy("Status"), width=14),
    "organisation_code": ExportColumn("organisation_code", gettext_lazy("Cell code"), width=16),
    ORGANISATION: ExportColumn(ORGANISATION, gettext_lazy("Party cell"), width=30),
}
DEFAULT_COLUMNS = (
    "ordinal",
    "full_name",
    "gender",
    "party_card_number",
    "admission_date",
    "official_date",
    "status",
    "education",
    "theory_level",
    "occupation",
    ORGANISATION,
)
_STATUS_LABELS = dict(Status.choices)
_VALUES = {  # the column's value in member_list's values(), when not its own name
    "status": "status",
    "organisation_code": "organisation__code",
    ORGANISATION: "organisation__name",
}


def member_columns(names: list[str] | None) -> list[ExportColumn]:
    """The chosen columns in the order given; ValidationError naming an unknown one."""
    names = [n.strip() for n in (names or DEFAULT_COLUMNS) if n.strip()]
    unknown = [n for n in names if n not in MEMBER_COLUMNS]
    if unknown:
        raise ValidationError(
            {"columns": _("Unknown columns: %(cols)s.") % {"cols": ", ".join(unknown)}}
        )
    if not names:
        raise ValidationError({"columns": _("Choose at least one column.")})
    return [MEMBER_COLUMNS[n] for n in dict.fromkeys(names)]


def _rows(qs, columns: list[ExportColumn]):
    fields = [_VALUES.get(c.name, c.name) for c in columns if c.name != "ordinal"]
    labels = {c.name: record_field(c.name).label_of for c in columns if c.name in _RECORD_CODES}
    for n, values in enumerate(qs.values_list(*fields).iterator(chunk_size=2000), start=1):
        out, i = [], 0
        for c in columns:
            if c.name == "ordinal":
                out.append(n)
                continue
            value = values[i]
            i += 1
            if c.name in labels:
                value = labels[c.name](value)
            elif c.name == "status":
                value = str(_STATUS_LABELS.get(value, value))
            out.append(value)
        yield out


_RECORD_CODES = frozenset(f.name for f in RECORD if f.kind == "code")


def members_export(
    *,
    actor,
    org: Organisation,
    fmt: str,
    columns: list[str] | None = None,
    status: str = "active",
    reason: str = "",
    via: str = "web",
):
    """The member list of `org`'s subtree as the actor sees it: (temporary file, rows, file
    name). ValidationError: an unknown column or format, a sensitive column the actor may not
    have for every member of the list, or one without a reason."""
    if fmt not in ("xlsx", "csv"):
        raise ValidationError({"format": _("Choose XLSX or CSV.")})
    if not allows(actor, "members.view", org):
        raise ValidationError({"org": _("You may not see the members of this organisation.")})
    chosen = member_columns(columns)
    sensitive = [c.name for c in chosen if c.sensitive]
    reason = clean_text(reason, max_length=500)
    if sensitive:
        if not covers_all(actor, "members.view_sensitive", "members.view", org.path):
            raise ValidationError(
                {
                    "columns": _(
                        "You may not export %(cols)s here: choose an organisation whose "
                        "members' personal particulars you may see."
                    )
                    % {"cols": ", ".join(str(MEMBER_COLUMNS[n].label) for n in sensitive)}
                }
            )
        if len(reason) < REASON_MIN:
            raise ValidationError(
                {
                    "reason": _(
                        "Say why you export personal particulars (at least %(n)d characters): "
                        "the log keeps it."
                    )
                    % {"n": REASON_MIN}
                }
            )
    qs = member_list(actor=actor, org=org, status=status)
    today = timezone.localdate()
    title = [
        _("List of party members: %(org)s") % {"org": org.name},
        _("As of %(day)s") % {"day": today.strftime("%d/%m/%Y")},
    ]
    out, count = write_table(
        fmt,
        title=title,
        columns=[Column(str(c.label), c.kind, c.width) for c in chosen],
        rows=_rows(qs, chosen),
    )
    if sensitive:
        audit_record(
            actor=actor,
            entry=AuditEntry(
                action="member.sensitive_export",
                object_type="organisation",
                object_id=org.pk,
                object_repr=org.name,
                org_path=org.path,
                after={
                    "via": via,
                    "format": fmt,
                    "fields": sensitive,
                    "rows": count,
                    "status": status,
                    "reason": reason,
                },
            ),
        )
    name = f"dang-vien-{org.code}-{today:%Y%m%d}.{fmt}".lower()
    return out, count, name


def import_template(*, org: Organisation | None = None) -> bytes:
    """The workbook a committee fills to import its members: Vietnamese headers (the required
    ones starred), an example row, drop-down lists of every coded field (and of the cells
    under `org`), dates as dd/mm/yyyy. Returned whole: it is small."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from dangvu.core.xlsx import workbook_bytes
    from dangvu.organisations.choices import MEMBER_HOLDING_KINDS

    wb = Workbook()
    ws = wb.active
    ws.title = _("Members")
    lists = wb.create_sheet(_("Lists"))
    fields = list(RECORD)
    cells: list[Organisation] = []
    if org is not None:
        cells = list(
            Organisation.objects.filter(
                path__startswith=org.path,
                kind__in=sorted(MEMBER_HOLDING_KINDS),
                valid_to__isnull=True,
            ).order_by("path")[:2000]
        )
    headers = [f"{f.label}{' *' if f.required else ''}" for f in fields]
    if org is None or org.kind not in MEMBER_HOLDING_KINDS:
        headers.append(f"{_('Party cell')} *")
    ws.append(headers)
    for i, _h in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FFF2CC")
        ws.column_dimensions[get_column_letter(i)].width = 22
    ws.freeze_panes = "A2"
    list_col = 0
    for i, f in enumerate(fields, start=1):
        letter = get_column_letter(i)
        if f.kind == "date":
            dv = DataValidation(
                type="date",
                operator="between",
                formula1="DATE(1900,1,1)",
                formula2="DATE(2100,12,31)",
                allow_blank=not f.required,
                showErrorMessage=True,
                error=_("Enter a date as dd/mm/yyyy."),
            )
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}100000")
            for row in range(2, 1002):
                ws.cell(row=row, column=i).number_format = "DD/MM/YYYY"
        elif f.kind == "digits":
            for row in range(2, 1002):
                ws.cell(row=row, column=i).number_format = "@"  # text: keeps leading zeros
        elif f.reflist is not None:
            list_col += 1
            labels = [label for _code, label in f.reflist.choices()]
            if f.empty_label is not None:
                labels.insert(0, str(f.empty_label))
            _list_range(
                lists, list_col, str(f.label), labels, ws, dv_col=letter, required=f.required
            )
    if len(headers) > len(fields) and cells:
        list_col += 1
        _list_range(
            lists,
            list_col,
            _("Party cell"),
            [c.code for c in cells],
            ws,
            dv_col=get_column_letter(len(headers)),
            required=True,
        )
        names = wb.create_sheet(_("Cells"))
        names.append([_("Code"), _("Name")])
        for c in cells:
            names.append([c.code, c.name])
    lists.sheet_state = "hidden"
    guide = wb.create_sheet(_("Guide"))
    guide.append([_("Column"), _("Required"), _("How to fill it")])
    for f in fields:
        if f.kind == "date":
            how = _("A date, dd/mm/yyyy")
        elif f.kind == "digits":
            how = _("%(n)d digits") % {"n": f.digits}
        elif f.reflist is not None:
            how = _("One of the list (code or name): %(first)s…") % {
                "first": ", ".join(label for _c, label in f.reflist.choices()[:3])
            }
        else:
            how = _("Text, at most %(n)d characters") % {"n": f.max_length or 0}
        guide.append([str(f.label), _("Yes") if f.required else "", how])
    guide.append([_("Party cell"), _("Yes"), _("The cell's code or name (sheet Cells)")])
    for col, width in (("A", 30), ("B", 10), ("C", 60)):
        guide.column_dimensions[col].width = width
    return workbook_bytes(wb)


def _list_range(lists, col: int, title: str, labels: list[str], ws, *, dv_col: str, required):
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    letter = get_column_letter(col)
    lists.cell(row=1, column=col, value=title)
    for r, label in enumerate(labels, start=2):
        lists.cell(row=r, column=col, value=label)
    dv = DataValidation(
        type="list",
        formula1=f"'{lists.title}'!${letter}$2:${letter}${len(labels) + 1}",
        allow_blank=not required,
        showErrorMessage=True,
        error=_("Choose a value from the list."),
    )
    ws.add_data_validation(dv)
    dv.add(f"{dv_col}2:{dv_col}100000")
