"""The header block and signature of an organisation's official papers (statistical forms,
printed pages): who stands above it, its own name, its place, and who signs for it.

On party papers the top-left block names the superior party organisation ("ĐẢNG BỘ TỈNH QUẢNG
NGÃI") and, below it, the body that issues the paper ("HUYỆN ỦY SƠN HÀ"); the date line opens
with the place ("Sơn Hà, ngày 03 tháng 12 năm 2026"). The XLSX forms (reports.official), the
print partials (templates/_print_header.html, _print_signatures.html) and the PDFs build on
`letterhead_for` and `date_line`, so they all say the same thing."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangvu.organisations.choices import OrgKind
from dangvu.organisations.models import Organisation, OrganisationVersion

__all__ = [
    "COMMITTEE_KINDS",
    "Letterhead",
    "letterhead_for",
    "party_body_name",
    "date_line",
    "signer_title",
]

# A committee's name -> the party organisation it leads ("Tỉnh ủy Kon Tum" -> "Đảng bộ tỉnh
# Kon Tum"); both spellings of the tone mark ("ủy", "uỷ") occur in real names.
_COMMITTEE_PREFIXES = [
    ("tỉnh ủy ", "Đảng bộ tỉnh "),
    ("thành ủy ", "Đảng bộ thành phố "),
    ("huyện ủy ", "Đảng bộ huyện "),
    ("thị ủy ", "Đảng bộ thị xã "),
    ("quận ủy ", "Đảng bộ quận "),
    ("đảng ủy ", "Đảng bộ "),
]

# Committees above the grassroots: signed for by a standing committee, and the only kinds with
# grassroots organisations under them.
COMMITTEE_KINDS = {
    OrgKind.CENTRAL,
    OrgKind.PROVINCE,
    OrgKind.DISTRICT,
    OrgKind.COMMUNE,
    OrgKind.DIRECT,
}


def party_body_name(name: str) -> str:
    """The party organisation a committee leads, as a superior line names it."""
    folded = name.replace("uỷ", "ủy").replace("Uỷ", "Ủy")
    lower = folded.lower()
    for prefix, body in _COMMITTEE_PREFIXES:
        if lower.startswith(prefix):
            return body + folded[len(prefix) :]
    return name


def signer_title(kind: str) -> str:
    """Who signs for the organisation: the standing committee of a committee above the
    grassroots, the party committee of a grassroots committee, the cell of a cell."""
    if kind in COMMITTEE_KINDS:
        return _("FOR THE STANDING COMMITTEE")
    if kind in (OrgKind.GRASSROOTS_COMMITTEE, OrgKind.SUB_COMMITTEE):
        return _("FOR THE PARTY COMMITTEE")
    return _("FOR THE PARTY CELL")


def date_line(place: str, day: date | None = None) -> str:
    """ "Sơn Hà, ngày 03 tháng 12 năm 2026"; dots where the place is not known."""
    day = day or timezone.localdate()
    return _("%(place)s, day %(day)s month %(month)s year %(year)s") % {
        "place": place or "……",
        "day": f"{day.day:02d}",
        "month": f"{day.month:02d}",
        "year": day.year,
    }


@dataclass(frozen=True)
class Letterhead:
    superior: str  # "ĐẢNG BỘ TỈNH KON TUM" ("" for the top of the tree)
    organisation: str  # "HUYỆN ỦY ĐẮK GLEI"
    place: str  # the organisation's place name, "" when not known
    kind: str
    signer: str  # "T/M BAN THƯỜNG VỤ"

    def date_line(self, day: date | None = None) -> str:
        return date_line(self.place, day)


def _version_on(org_id: int, day: date) -> OrganisationVersion | None:
    return (
        OrganisationVersion.objects.filter(organisation_id=org_id, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .order_by("-valid_from")
        .first()
    )


def letterhead_for(org: Organisation | str, on: date | None = None) -> Letterhead:
    """The letterhead of `org` (an Organisation or its code) as the tree stood on `on` (today
    when None): its name and superior of that date, else the current ones.

    It names the organisation and the one above it only; the caller has already checked that
    the person may see `org`, and a superior's name is printed on every paper of it."""
    if isinstance(org, str):
        org = Organisation.objects.get(code=org)
    today = timezone.localdate()
    on = on or today
    if on == today and org.active_on(today):
        # Today's tree is the tree itself: one query for the superior's name.
        name, kind = org.name, org.kind
        superior_name = (
            Organisation.objects.filter(path=org.path[: -org.steplen])
            .values_list("name", flat=True)
            .first()
            if org.depth > 1
            else None
        )
    else:
        version = _version_on(org.pk, on)
        if version is None:  # dissolved before `on` (or founded after): its last version
            version = (
                OrganisationVersion.objects.filter(organisation=org, valid_from__lte=on)
                .order_by("-valid_from")
                .first()
            )
            if version is not None and version.valid_to is not None:
                on = version.valid_to - timedelta(days=1)
        name, kind = (version.name, version.kind) if version else (org.name, org.kind)
        parent_id = version.parent_id if version else None
        superior_name = None
        if parent_id is not None:
            parent_version = _version_on(parent_id, on)
            superior_name = (
                parent_version.name
                if parent_version
                else Organisation.objects.values_list("name", flat=True).get(pk=parent_id)
            )
    superior = party_body_name(superior_name) if superior_name else ""
    return Letterhead(
        superior=superior.upper(),
        organisation=name.upper(),
        place=org.place_name,
        kind=kind,
        signer=signer_title(kind),
    )
