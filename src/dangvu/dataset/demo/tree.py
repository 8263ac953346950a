"""Create the demo's organisation tree as it stood before 1/7/2025 (codes: structure.py)."""

from dangvu.dataset.demo.places import Places
from dangvu.dataset.demo.structure import PROVINCES, ROOT, District
from dangvu.organisations.choices import OrgKind
from dangvu.organisations.models import Organisation
from dangvu.organisations.services import organisation_create

__all__ = ["create_tree"]


def create_tree(*, places: Places, districts: list[District]) -> dict[str, Organisation]:
    """Root, provinces (with the army and police committees of the receiving ones), districts,
    grassroots organisations and cells, through organisation_create. Returns code -> org."""
    orgs: dict[str, Organisation] = {}

    def create(parent: str | None, **fields) -> Organisation:
        # The parent instance is the one add_child updated last, so treebeard's child count
        # is current.
        org = organisation_create(actor=None, parent=orgs[parent] if parent else None, **fields)
        orgs[org.code] = org
        return org

    create(
        None,
        code=ROOT["code"],
        name=ROOT["name"],
        kind=OrgKind.CENTRAL,
        valid_from=ROOT["valid_from"],
    )
    for province in PROVINCES:
        full, short = places.old_province(province.code)
        code = f"T{province.code}"
        create(
            ROOT["code"],
            code=code,
            name=f"Đảng bộ {full[0].lower()}{full[1:]}",
            kind=OrgKind.PROVINCE,
            valid_from=province.valid_from,
            place_name=full,
            place_code=province.code,
        )
        if province.direct:
            for slot, body in (("QS", "Quân sự"), ("CA", "Công an")):
                create(
                    code,
                    code=f"{code}-{slot}",
                    name=f"Đảng bộ {body} tỉnh {short}",
                    kind=OrgKind.DIRECT,
                    valid_from=province.valid_from,
                    place_name=full,
                    place_code=province.code,
                )
    for district in districts:
        district.org = create(
            f"T{district.province_code}",
            code=district.code,
            name=district.name,
            kind=OrgKind.DISTRICT,
            valid_from=district.valid_from,
            place_name=district.communes[0].district,
            place_code=district.district_code,
        )
        for g in district.grassroots:
            g.org = create(
                district.code,
                code=g.code,
                name=g.name,
                kind=g.kind,
                grassroots_type=g.grassroots_type,
                valid_from=district.valid_from,
                place_name=g.place_name,
                place_code=g.place.ward_code
                if g.destination in ("merge", "commune")
                else district.district_code,
            )
            for cell in g.cells:
                if cell.kind == OrgKind.GRASSROOTS_CELL:
                    cell.org = g.org
                    continue
                cell.org = create(
                    g.code,
                    code=cell.code,
                    name=cell.name,
                    kind=OrgKind.CELL,
                    valid_from=district.valid_from,
                    place_name=cell.place_name,
                    place_code=cell.place.ward_code if cell.place else "",
                )
    return orgs
