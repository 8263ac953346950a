"""Who has read `dangvien`'s particulars (docs/decisions/0028): the demo member signs in and finds
on "Who has viewed your personal particulars" the story a member would see — Quảng Ngãi's
organisation board (`bantochuc`) opened their record and the list of their cell, their cell's
secretary (`bithu`) opened their record, and the board exported the commune's member list with
ethnicity and religion, giving its reason. Reads only: no figure of the demo changes.

Made through the access gate and the export service, as the pages make them."""

from django.contrib.auth import get_user_model

from dangvu.accounts.scoping import clear_scope_cache, release_sensitive
from dangvu.interchange.exports import members_export
from dangvu.members.choices import IN_PARTY
from dangvu.members.models import Member
from dangvu.organisations.models import Organisation

__all__ = ["record_reads", "EXPORT_REASON"]

EXPORT_REASON = "Rà soát đảng viên người dân tộc thiểu số theo yêu cầu của Ban Tổ chức Trung ương"


def record_reads() -> None:
    User = get_user_model()
    staff = User.objects.get(username="bantochuc")
    secretary = User.objects.get(username="bithu")
    member = Member.objects.select_related("organisation").get(user__username="dangvien")
    for user in (staff, secretary):
        clear_scope_cache(user)
    release_sensitive(staff, [member], via="page")
    cell = list(
        Member.objects.filter(organisation=member.organisation, status__in=IN_PARTY).order_by(
            "name_folded", "pk"
        )[:50]
    )
    release_sensitive(staff, cell, via="page")
    release_sensitive(secretary, [member], via="page")
    commune = Organisation.objects.get_parent(member.organisation)
    out, _count, _name = members_export(
        actor=staff,
        org=commune,
        fmt="xlsx",
        columns=["ordinal", "full_name", "birth_date", "ethnicity", "religion", "organisation"],
        reason=EXPORT_REASON,
    )
    out.close()
