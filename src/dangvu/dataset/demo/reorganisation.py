"""The 2025 reorganisation of the demo tree, on 1/7/2025, as it happened (DOMAIN.md §7.3).

1. New commune-level committees (kind commune, "Đảng bộ xã <new name>", code "X" + new commune
   code) are created under the receiving provinces: Quảng Ngãi for Kon Tum's, Tuyên Quang for
   Hà Giang's, Cà Mau for Cà Mau's and Bạc Liêu's.
2. The old communes' grassroots committees are merged into them following the real old -> new
   mapping of `vietnamadminunits` (three Đắk Glei communes — Đăk Blô, Đăk Man, Đăk Nhoong — into
   Đăk Plô). Their cells move with them: members keep their cell, no personal transfer.
   Where several old communes meet, their office, military and police cells are merged into
   one new cell each (members moved by a `reorganised` event).
3. District agencies move under the commune committee of the district seat, commune schools
   under their commune's new committee, district army and police under the province's army and
   police committees; district health centres become regional ones (renamed).
4. The district committees are dissolved; Kon Tum, Hà Giang and Bạc Liêu province committees,
   empty by then, are merged into Quảng Ngãi, Tuyên Quang and Cà Mau (National Assembly
   Resolution 202/2025/QH15).

Everything goes through the organisation services, so versions, lineage links, counters and
audit records are written as for any other reorganisation.
"""

from dataclasses import dataclass, field

from dangvu.dataset.demo.people import REORGANISATION_DAY
from dangvu.dataset.demo.places import NewUnit, Places
from dangvu.dataset.demo.structure import PROVINCES, RECEIVERS, District, Grassroots, Unit
from dangvu.organisations.choices import OrgKind
from dangvu.organisations.models import Organisation
from dangvu.organisations.services import (
    organisation_create,
    organisation_dissolve,
    organisation_merge,
    organisation_move,
    organisation_rename,
)

__all__ = [
    "NewCommune",
    "ReorganisationPlan",
    "plan_reorganisation",
    "reorganise",
    "PROVINCE_MERGE_DECISION",
]

PROVINCE_MERGE_DECISION = "202/2025/QH15"
_SLOTS = (("CQ", "Cơ quan"), ("QS", "Quân sự"), ("CA", "Công an"))


@dataclass(eq=False)
class NewCommune:
    unit: NewUnit
    province_code: str  # the receiving province's official code
    sources: list[Grassroots] = field(default_factory=list)
    cells: list[Unit] = field(default_factory=list)  # merged office / military / police cells
    org: object = None

    @property
    def code(self) -> str:
        return f"X{self.unit.ward_code}"

    @property
    def where(self) -> str:
        return f"{self.unit.ward_type.lower()} {self.unit.ward_short}"

    @property
    def name(self) -> str:
        return f"Đảng bộ {self.where}"

    @property
    def issuer(self) -> str:
        return f"Ban Thường vụ Đảng ủy {self.where}"


@dataclass
class ReorganisationPlan:
    communes: list[NewCommune]
    moves: list[tuple[Grassroots, str]]  # grassroots organisation, code of its new parent
    renames: list[tuple[Grassroots, str]]


def plan_reorganisation(*, places: Places, districts: list[District]) -> ReorganisationPlan:
    """Decide where everything goes (no database); sets each cell's `merged_into` and
    `post_issuer`, which the member histories need."""
    communes: dict[str, NewCommune] = {}
    for district in districts:
        receiving = RECEIVERS[district.province_code]
        for g in district.grassroots:
            if g.destination != "merge":
                continue
            new = places.successor(g.place)
            commune = communes.setdefault(new.ward_code, NewCommune(new, receiving))
            commune.sources.append(g)
    order = {p.code: i for i, p in enumerate(PROVINCES)}
    ordered = sorted(communes.values(), key=lambda c: (order[c.province_code], c.unit.ward_code))
    for commune in ordered:
        for g in commune.sources:
            for cell in g.cells:
                cell.post_issuer = commune.issuer
        if len(commune.sources) < 2:
            continue
        for slot, body in _SLOTS:
            olds = [c for g in commune.sources for c in g.cells if c.code.endswith(f"-{slot}")]
            first = olds[0]
            cell = Unit(
                code=f"{commune.code}-{slot}",
                name=f"Chi bộ {body} {commune.where}",
                kind=OrgKind.CELL,
                profile=first.profile,
                size=0,
                mix=first.mix,
                place=first.place,
                place_name=commune.unit.ward,
                district=first.district,
                post_issuer=commune.issuer,
            )
            for old in olds:
                old.merged_into = cell
            commune.cells.append(cell)

    moves, renames = [], []
    for district in districts:
        receiving = RECEIVERS[district.province_code]
        _full, short = places.old_province(receiving)
        for g in district.grassroots:
            if g.destination == "merge":
                continue
            if g.destination in ("seat", "commune"):
                place = district.seat if g.destination == "seat" else g.place
                commune = communes[places.successor(place).ward_code]
                target, issuer = commune.code, commune.issuer
            elif g.destination == "army":
                target, issuer = f"T{receiving}-QS", f"Ban Thường vụ Đảng ủy Quân sự tỉnh {short}"
            else:
                target, issuer = f"T{receiving}-CA", f"Ban Thường vụ Đảng ủy Công an tỉnh {short}"
            for cell in g.cells:
                cell.post_issuer = issuer
            moves.append((g, target))
            if g.rename:
                renames.append((g, g.rename))
    return ReorganisationPlan(communes=ordered, moves=moves, renames=renames)


def _fresh(org: Organisation) -> Organisation:
    # The tree changed under it (moves, merges): treebeard needs the current child count.
    return Organisation.objects.get(pk=org.pk)


def reorganise(
    *, plan: ReorganisationPlan, districts: list[District], orgs: dict[str, Organisation]
) -> None:
    """Apply the plan through the organisation services (actor: the system)."""
    on = REORGANISATION_DAY
    for commune in plan.communes:
        commune.org = organisation_create(
            actor=None,
            code=commune.code,
            name=commune.name,
            kind=OrgKind.COMMUNE,
            parent=_fresh(orgs[f"T{commune.province_code}"]),
            valid_from=on,
            place_name=commune.unit.ward,
            place_code=commune.unit.ward_code,
        )
        orgs[commune.code] = commune.org
        organisation_merge(
            actor=None, sources=[g.org for g in commune.sources], target=commune.org, on=on
        )
        for cell in commune.cells:
            cell.org = organisation_create(
                actor=None,
                code=cell.code,
                name=cell.name,
                kind=OrgKind.CELL,
                parent=_fresh(commune.org),
                valid_from=on,
                place_name=cell.place_name,
                place_code=commune.unit.ward_code,
            )
            orgs[cell.code] = cell.org
            olds = [c for g in commune.sources for c in g.cells if c.merged_into is cell]
            organisation_merge(actor=None, sources=[c.org for c in olds], target=cell.org, on=on)
    for g, target in plan.moves:
        organisation_move(actor=None, org=g.org, new_parent=_fresh(orgs[target]), on=on)
    for g, name in plan.renames:
        organisation_rename(actor=None, org=g.org, name=name, on=on)
    for district in districts:
        organisation_dissolve(actor=None, org=district.org, on=on)
    for province in PROVINCES:
        if province.receiver:
            organisation_merge(
                actor=None,
                sources=[orgs[f"T{province.code}"]],
                target=orgs[f"T{province.receiver}"],
                on=on,
                decision_number=PROVINCE_MERGE_DECISION,
            )
