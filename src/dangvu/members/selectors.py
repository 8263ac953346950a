"""Reads over members. Every selector that serves a person takes `actor` and starts from the
scope rule (accounts.scoping)."""

from django.db.models import Q, QuerySet

from dangvu.accounts.scoping import member_q
from dangvu.core.text import tokens
from dangvu.members.choices import IN_PARTY, EventType
from dangvu.members.models import Member, MembershipEvent
from dangvu.organisations.models import Organisation

__all__ = [
    "member_list",
    "member_get",
    "member_events",
    "member_count_in_org",
    "member_ids_in_org",
    "members_after",
    "effective_events",
]


def member_list(
    *,
    actor,
    org: Organisation | None = None,
    q: str = "",
    status: str = "",
    filters: dict | None = None,
) -> QuerySet[Member]:
    """Members visible to the actor, optionally within an organisation's subtree.

    `q` matches every word of the folded name (accent- and case-insensitive, any order), or a
    party card / identity number exactly. `status` is a Status value, or "active" for everyone
    in the party.
    """
    qs = Member.objects.filter(member_q(actor)).select_related("organisation")
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    if status == "active":
        qs = qs.filter(status__in=IN_PARTY)
    elif status:
        qs = qs.filter(status=status)
    words = tokens(q)
    if words:
        if len(words) == 1 and words[0].isdigit():
            qs = qs.filter(Q(party_card_number=words[0]) | Q(identity_number=words[0]))
        else:
            for word in words:
                # Word boundary on the folded name: "an" finds "An" and "Lan An", not "Loan".
                qs = qs.filter(
                    Q(name_folded__startswith=word + " ")
                    | Q(name_folded__contains=" " + word)
                    | Q(name_folded=word)
                )
    for field, value in (filters or {}).items():
        if value not in (None, ""):
            qs = qs.filter(**{field: value})
    return qs.order_by("name_folded", "id")


def member_get(*, actor, pk) -> Member | None:
    return member_list(actor=actor).filter(pk=pk).first()


def member_events(member: Member) -> QuerySet[MembershipEvent]:
    return member.events.select_related(
        "organisation", "from_organisation", "corrects", "recorded_by"
    ).order_by("seq")


def member_count_in_org(org: Organisation) -> int:
    return Member.objects.filter(organisation=org, status__in=IN_PARTY).count()


def member_ids_in_org(org: Organisation) -> list[int]:
    return list(
        Member.objects.filter(organisation=org, status__in=IN_PARTY).values_list("id", flat=True)
    )


def effective_events(member_id: int) -> list[MembershipEvent]:
    """Events that count: neither corrections nor corrected by one."""
    return list(
        MembershipEvent.objects.filter(member_id=member_id, corrected_by__isnull=True)
        .exclude(type=EventType.CORRECTION)
        .order_by("seq")
    )


def members_after(qs: QuerySet[Member], after_id: int | None) -> QuerySet[Member]:
    """Keyset pagination over member_list's order (folded name, id): the members that come
    after the member `after_id` (the last one of the previous page)."""
    if not after_id:
        return qs
    last = Member.objects.filter(pk=after_id).values_list("name_folded", "id").first()
    if last is None:
        return qs
    return qs.filter(Q(name_folded__gt=last[0]) | Q(name_folded=last[0], id__gt=last[1]))
