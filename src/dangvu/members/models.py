from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangvu.core.models import AppendOnlyModel, person_ref
from dangvu.core.refdata import (
    EDUCATION_LEVELS,
    ETHNICITIES,
    GENDERS,
    OCCUPATIONS,
    PROFESSIONAL_LEVELS,
    RELIGIONS,
    THEORY_LEVELS,
)
from dangvu.members.choices import EventType, Status
from dangvu.organisations.models import Organisation, OrgBoundModel

__all__ = [
    "PersonRecord",
    "Member",
    "MembershipEvent",
    "MemberPeriod",
    "AttributeChange",
    "Transfer",
    "NameKey",
    "Position",
]


class PersonRecord(models.Model):
    """A person's particulars as a member's record holds them (members.fields.RECORD without
    the card and the event dates): a member's, and a candidate's before admission
    (admission.Candidate), so that the one becomes the other without retyping."""

    full_name = models.CharField(_("full name"), max_length=150)
    # Searched through NameKey and the name_folded index; ordered within a cell by the
    # (org_path, name_folded) index.
    name_folded = models.CharField(_("folded name"), max_length=150, editable=False)
    birth_name = models.CharField(_("birth name"), max_length=150, blank=True)
    birth_date = models.DateField(_("date of birth"))
    gender = models.CharField(_("gender"), max_length=1, choices=GENDERS.choices())
    ethnicity = models.CharField(_("ethnicity"), max_length=2)
    religion = models.CharField(_("religion"), max_length=2, default="00")
    hometown = models.CharField(_("hometown"), max_length=255, blank=True)
    identity_number = models.CharField(_("citizen identity number"), max_length=12, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    education = models.CharField(_("general education"), max_length=20)
    professional_level = models.CharField(_("professional level"), max_length=20, default="none")
    theory_level = models.CharField(_("political theory"), max_length=20, default="none")
    occupation = models.CharField(_("occupation"), max_length=30)
    # Empty: none / no (most records): one byte a row each (docs/decisions/0017).
    academic_title = models.CharField(_("academic title"), max_length=20, blank=True, default="")
    youth_union = models.CharField(_("Youth Union member"), max_length=3, blank=True, default="")
    enterprise_owner = models.CharField(
        _("private-enterprise owner"), max_length=3, blank=True, default=""
    )
    married_foreigner = models.CharField(
        _("married to a foreigner"), max_length=3, blank=True, default=""
    )

    class Meta:
        abstract = True

    @property
    def ethnicity_label(self):
        return ETHNICITIES.label(self.ethnicity)

    @property
    def religion_label(self):
        return RELIGIONS.label(self.religion)

    @property
    def gender_label(self):
        return GENDERS.label(self.gender)

    @property
    def education_label(self):
        return EDUCATION_LEVELS.label(self.education)

    @property
    def professional_label(self):
        return PROFESSIONAL_LEVELS.label(self.professional_level)

    @property
    def theory_label(self):
        return THEORY_LEVELS.label(self.theory_level)

    @property
    def occupation_label(self):
        return OCCUPATIONS.label(self.occupation)


class Member(PersonRecord, OrgBoundModel):
    """A party member's record. Holds the current state; MembershipEvent rows are the truth.
    Organisation-bound (its cell and the cell's path): registered in MembersConfig.ready()."""

    # A member's identity number is unique in the party's records (a candidate's is not yet).
    identity_number = models.CharField(
        _("citizen identity number"), max_length=12, null=True, blank=True, unique=True
    )
    party_card_number = models.CharField(
        _("party card number"), max_length=8, null=True, blank=True, unique=True
    )
    admission_date = models.DateField(_("admission date"), null=True, blank=True)
    ceremony_date = models.DateField(_("admission ceremony date"), null=True, blank=True)
    official_date = models.DateField(_("official date"), null=True, blank=True)

    # Looked up by `org_path` (indexed with the name), not by this key: its own index (8 MB
    # at 1M members) would repeat that one (docs/decisions/0017).
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("party cell"),
        db_index=False,
    )
    org_path = models.CharField(max_length=255, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    exempted = models.BooleanField(_("exempted from activities"), default=False)
    temp_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("temporarily attached to"),
        db_index=False,
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        indexes = [
            models.Index(fields=["org_path", "name_folded"]),
            models.Index(fields=["name_folded"], name="member_name_folded"),
        ]

    def __str__(self):
        return self.full_name


class MembershipEvent(AppendOnlyModel):
    """One thing that happened to a member. Append-only: a wrong event is reversed by a
    `correction` event that names it."""

    # Indexed by uniq_event_seq (member, seq); the other references are never searched by, so
    # they carry no index of their own (size at national scale; an organisation is dissolved,
    # never deleted, so PROTECT needs no index either).
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    seq = models.PositiveIntegerField()
    type = models.CharField(_("event"), max_length=30, choices=EventType.choices)
    date = models.DateField(_("date"))
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation after"),
        db_index=False,
    )
    from_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # The host cell of a temporary transfer (the member's own cell does not change).
    temp_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    status_before = models.CharField(max_length=20, blank=True)
    status_after = models.CharField(max_length=20)
    exempted_after = models.BooleanField(default=False)
    other_party = models.CharField(_("from / to (outside Dangvu)"), max_length=255, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    issuer = models.CharField(_("issued by"), max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True)
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = person_ref()

    class Meta:
        ordering = ["member_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["member", "seq"], name="uniq_event_seq")]
        indexes = [models.Index(fields=["date", "type"])]

    def __str__(self):
        return f"{self.get_type_display()} {self.date}"


class MemberPeriod(models.Model):
    """A span [valid_from, valid_to) during which a member was in the party in one cell with one
    status. Derived from the events (`dangvu check` rebuilds and compares); reports as of a past
    date read these."""

    # Both indexed through the composite indexes below.
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="periods", db_index=False
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    status = models.CharField(max_length=20)
    exempted = models.BooleanField(default=False)
    # The dated attributes in force during the span (members.dated): a change of one splits
    # the period, so a report as of a date counts the values of that date.
    education = models.CharField(max_length=20, default="")
    professional_level = models.CharField(max_length=20, default="")
    theory_level = models.CharField(max_length=20, default="")
    occupation = models.CharField(max_length=30, default="")
    academic_title = models.CharField(max_length=20, default="")
    youth_union = models.CharField(max_length=3, default="")
    enterprise_owner = models.CharField(max_length=3, default="")
    married_foreigner = models.CharField(max_length=3, default="")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "valid_from"]),
            models.Index(fields=["member", "valid_from"]),
            # The changes between a snapshot and a report date (reports.selectors).
            models.Index(fields=["valid_from"]),
            models.Index(fields=["valid_to"]),
        ]

    def __str__(self):
        return f"{self.member_id} {self.status} {self.valid_from}–{self.valid_to or ''}"


class AttributeChange(AppendOnlyModel):
    """A dated fact about one of a member's dated attributes (general education, professional
    level, political theory, occupation: RecordField.dated), with its source. Append-only; the
    values in force on each day come from replaying a member's rows in the order recorded
    (members.dated.Timeline):

    - `initial`: the value the record held before its first recorded change (from the start);
    - `change`: a real change from `valid_from` on (a course completed, a new job);
    - `correction`: a typing error put right, either from the start (`valid_from` empty: the
      value was always this) or of the value in force since the latest change (`valid_from`
      that change's date).
    """

    class Kind(models.TextChoices):
        INITIAL = "initial", _("Value before the first change")
        CHANGE = "change", _("Change")
        CORRECTION = "correction", _("Correction")

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="attribute_changes", db_index=False
    )
    field = models.CharField(_("attribute"), max_length=30)
    value = models.CharField(_("value"), max_length=30)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # Empty: from the start of the record.
    valid_from = models.DateField(_("in force from"), null=True, blank=True)
    source = models.CharField(_("source (diploma, decision)"), max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = person_ref()

    class Meta:
        indexes = [
            models.Index(fields=["member", "id"], name="attrchange_member"),
            # A signed report, re-run, lists what was recorded since it was signed.
            models.Index(fields=["recorded_at"], name="attrchange_recorded"),
        ]

    def __str__(self):
        return f"{self.member_id} {self.field}={self.value} {self.kind} {self.valid_from or ''}"


class Transfer(OrgBoundModel):
    """A transfer of party activity to a cell of another committee, in two acts: the sending
    side sends it (the member is then "in transit" and still counted where they were), the
    receiving side receives it (the `transferred` event, dated on receipt, moves them) or
    refuses it; the sender may withdraw it before. Organisation-bound to the sending cell (its
    `org_path`); the receiving side finds it by `to_path` (docs/decisions/0014)."""

    class State(models.TextChoices):
        SENT = "sent", _("In transit")
        RECEIVED = "received", _("Received")
        REFUSED = "refused", _("Refused by the receiving side")
        WITHDRAWN = "withdrawn", _("Withdrawn by the sending side")

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="transfers", db_index=False
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("sending cell")
    )
    to_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("receiving cell"),
        db_index=False,
    )
    to_path = models.CharField(max_length=255, editable=False, db_index=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default="sent")
    sent_on = models.DateField(_("sent on"))
    decision_number = models.CharField(_("letter number"), max_length=60, blank=True)
    note = models.TextField(_("note"), blank=True)
    sent_by = person_ref()
    closed_on = models.DateField(_("received or closed on"), null=True, blank=True)
    closed_by = person_ref()
    reason = models.TextField(_("reason"), blank=True)
    event = models.OneToOneField(
        MembershipEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["sent_on", "id"]
        constraints = [
            # One transfer in transit per member at a time.
            models.UniqueConstraint(
                fields=["member"], condition=models.Q(state="sent"), name="one_transfer_in_transit"
            )
        ]

    def __str__(self):
        return f"{self.member_id} → {self.to_organisation_id} ({self.state})"


class NameKey(models.Model):
    """Every rotation of a folded name that some member bears: "nguyen van binh", "van binh
    nguyen", "binh nguyen van", each with the name. Each word starts one key, so an index range
    on the key finds a name by any word (and by any cyclic run of words), the rest of the key
    filters the other words without reading a member row, and the members bearing the name come
    from their name_folded index. Keyed by name, not by member: Vietnamese names repeat (1M
    generated members bear about 62,000 distinct names; docs/decisions/0004). Written by
    members.services with the name's first member; kept when a name is corrected (the old keys
    then find no one)."""

    pk = models.CompositePrimaryKey("key", "name")
    key = models.CharField(max_length=150)
    name = models.CharField(max_length=150)

    def __str__(self):
        return self.key


class Position(OrgBoundModel):
    """Who holds which position in which organisation, from when to when: the party's own
    (secretary, deputy, committee and standing-committee members) and, for a village or
    residential group (kept on its party cell), the village head and the heads of the mass
    organisations, members or not (`member` empty, `person_name` given). Meetings and
    supervision read the same rows. Organisation-bound: registered in MembersConfig.ready()."""

    class Kind(models.TextChoices):
        SECRETARY = "secretary", _("Secretary")
        DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
        COMMITTEE_MEMBER = "committee_member", _("Committee member")
        STANDING_COMMITTEE = "standing_committee", _("Standing-committee member")
        VILLAGE_HEAD = "village_head", _("Village or residential-group head")
        FRONT_HEAD = "front_head", _("Head of the Fatherland Front committee")
        YOUTH_UNION_HEAD = "youth_union_head", _("Youth Union secretary")
        WOMEN_UNION_HEAD = "women_union_head", _("Women's Union head")
        FARMERS_UNION_HEAD = "farmers_union_head", _("Farmers' Union head")
        VETERANS_HEAD = "veterans_head", _("Veterans' Association head")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    kind = models.CharField(_("position"), max_length=24, choices=Kind.choices)
    member = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="positions",
        verbose_name=_("party member"),
    )
    person_name = models.CharField(_("name"), max_length=150)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("until"), null=True, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = person_ref()

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        indexes = [models.Index(fields=["kind", "valid_to"], name="position_kind_open")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.person_name}"

    @property
    def is_current(self) -> bool:
        return self.valid_to is None
