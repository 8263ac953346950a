"""Demo sign-ins: one user per role, all with the password DEMO_PASSWORD; every role but
`member` also needs a second factor (accounts.twofactor): each such user gets backup codes,
which `dangvu demo` prints (a few unused ones each time; new ones when all are used).

| user        | role             | where                                                        |
|-------------|------------------|--------------------------------------------------------------|
| `admin`     | admin            | TW (the whole tree)                                          |
| `bantochuc` | org_staff        | T51 Quảng Ngãi, and T62 Kon Tum (dissolved: its history)     |
| `uyvien`    | committee_member | X01237 Đảng bộ xã Quang Bình (Tuyên Quang, formerly Hà Giang)|
| `bithu`     | secretary        | CS23344-T01 Chi bộ thôn 1 (from Đăk Blô, Đắk Glei; now Đăk Plô) |
| `dangvien`  | member           | the same cell; linked to one of its members                  |
| `giangvien` | trainer          | T51                                                          |
| `bientap`   | editor           | T51, and T96 Cà Mau (its Plan 90-KH/TU)                      |
| `kiemduyet` | moderator        | T51                                                          |
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django_otp.plugins.otp_static.models import StaticToken

from dangvu.accounts.models import RoleGrant
from dangvu.accounts.roles import Role
from dangvu.accounts.services import grant_create, user_create
from dangvu.accounts.twofactor import BACKUP_NAME, backup_codes_issue, needs_second_factor
from dangvu.members.choices import Status
from dangvu.members.models import Member
from dangvu.members.services import member_link_user
from dangvu.organisations.models import Organisation

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "SECRETARY_CELL",
    "SignIn",
    "create_users",
    "demo_signins",
]

DEMO_PASSWORD = "dangvu-demo-2026"
SECRETARY_CELL = "CS23344-T01"

# (username, role, organisation codes, full name; None: taken from a member of the cell)
DEMO_USERS: list[tuple[str, str, list[str], str | None]] = [
    ("admin", Role.ADMIN, ["TW"], "Quản trị hệ thống"),
    ("bantochuc", Role.ORG_STAFF, ["T51", "T62"], "Cán bộ Ban Tổ chức"),
    ("uyvien", Role.COMMITTEE_MEMBER, ["X01237"], "Ủy viên Ban Thường vụ"),
    ("bithu", Role.SECRETARY, [SECRETARY_CELL], None),
    ("dangvien", Role.MEMBER, [SECRETARY_CELL], None),
    ("giangvien", Role.TRAINER, ["T51"], "Giảng viên Trung tâm Chính trị"),
    # Also Cà Mau's: the propaganda staff who follow its Plan 90-KH/TU (dataset.demo.documents).
    ("bientap", Role.EDITOR, ["T51", "T96"], "Biên tập viên"),
    ("kiemduyet", Role.MODERATOR, ["T51"], "Kiểm duyệt viên"),
]


@dataclass(frozen=True)
class SignIn:
    username: str
    password: str
    role: str
    organisations: tuple[tuple[str, str, bool], ...]  # (code, name, still exists)
    full_name: str
    codes: tuple[str, ...] = ()  # unused backup codes (the sign-in's second step); () for a member


# How many of a demo user's unused backup codes `dangvu demo` prints.
CODES_SHOWN = 4


def create_users() -> dict[str, object]:
    """Create the demo users and their grants through the account services; link `dangvien` to
    an active member of the secretary's cell. Returns username -> user."""
    cell = Organisation.objects.get(code=SECRETARY_CELL)
    active = Member.objects.filter(
        org_path=cell.path, organisation=cell, status=Status.OFFICIAL, exempted=False
    )
    # The longest-serving active member is the secretary; the most recent one signs in as a member.
    secretary = active.order_by("admission_date", "pk").first()
    member = active.order_by("-admission_date", "-pk").first()
    if secretary is None or member is None or secretary.pk == member.pk:
        raise RuntimeError(f"the demo cell {SECRETARY_CELL} has too few active members")
    names = {"bithu": secretary.full_name, "dangvien": member.full_name}
    users = {}
    for username, role, codes, full_name in DEMO_USERS:
        user, _password = user_create(
            actor=None,
            username=username,
            password=DEMO_PASSWORD,
            full_name=full_name or names[username],
        )
        for code in codes:
            grant_create(
                actor=None,
                user=user,
                organisation=Organisation.objects.get(code=code),
                role=role,
                include_descendants=True,
            )
        users[username] = user
        if role != Role.MEMBER:
            backup_codes_issue(actor=None, user=user)
    member_link_user(actor=None, member=member, user=users["dangvien"])
    return users


def _unused_codes(user) -> tuple[str, ...]:
    """A few of the demo user's unused backup codes; a new set when none is left (the demo's
    codes are no secret: they are printed for whoever runs the demo)."""
    if not needs_second_factor(user):
        return ()
    unused = StaticToken.objects.filter(device__user=user, device__name=BACKUP_NAME)
    codes = list(unused.order_by("id").values_list("token", flat=True)[:CODES_SHOWN])
    return tuple(codes or backup_codes_issue(actor=None, user=user)[:CODES_SHOWN])


def demo_signins() -> list[SignIn]:
    """The demo users as they are in the database (missing ones are left out), with a few
    unused backup codes for the second step of their sign-in."""
    User = get_user_model()
    result = []
    for username, role, _codes, _name in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        grants = RoleGrant.objects.filter(user=user).select_related("organisation").order_by("id")
        result.append(
            SignIn(
                username=username,
                password=DEMO_PASSWORD,
                role=", ".join(sorted({g.role for g in grants})) or role,
                organisations=tuple(
                    (g.organisation.code, g.organisation.name, g.organisation.is_active)
                    for g in grants
                ),
                full_name=user.first_name,
                codes=_unused_codes(user),
            )
        )
    return result
