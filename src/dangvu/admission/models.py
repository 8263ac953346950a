"""The admission pipeline's records: candidates, the steps recorded on them, term targets."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangvu.admission.choices import CLOSED, Proposer, Stage, Step
from dangvu.core.models import AppendOnlyModel, person_ref
from dangvu.members.models import Member, PersonRecord
from dangvu.organisations.models import Organisation, OrgBoundModel

__all__ = ["Candidate", "CandidateStep", "Target", "TargetPart", "AdmissionMonth"]


class Candidate(PersonRecord, OrgBoundModel):
    """A person the party cell cultivates for admission (quần chúng ưu tú, then đối tượng
    kết nạp): their particulars in the shape of a member's record (members.fields.RECORD
    without the card and the event dates: on admission they become the member's record,
    nothing retyped), the cell, who proposed them and the member who helps them; the stage the
    case has reached and the next date something is due (`due_on`, `due_kind`), kept by the
    services with every step. Organisation-bound: registered in AdmissionConfig.ready()."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("party cell"),
        db_index=False,
    )
    # Found by the path with the name or the due date (the indexes below): no index of its own.
    org_path = models.CharField(max_length=255, editable=False)
    proposed_by = models.CharField(
        _("proposed by"), max_length=20, choices=Proposer.choices, default=Proposer.CELL
    )
    helper = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("party member assigned to help"),
        db_index=False,
    )
    hard_area = models.BooleanField(
        _("lives in a mountain, border, island or especially disadvantaged area"), default=False
    )
    note = models.TextField(_("note"), blank=True)

    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    stage_on = models.DateField(_("since"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    due_kind = models.CharField(max_length=24, blank=True)
    failed_votes = models.PositiveSmallIntegerField(default=0)
    referred = models.BooleanField(_("referred to the upper committee"), default=False)
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True)
    certificate_on = models.DateField(_("certificate date"), null=True, blank=True)
    cell_resolution_on = models.DateField(null=True, blank=True)
    decision_number = models.CharField(_("admission decision"), max_length=60, blank=True)
    decision_on = models.DateField(null=True, blank=True)
    received_on = models.DateField(null=True, blank=True)
    ceremony_on = models.DateField(null=True, blank=True)
    member = models.OneToOneField(
        Member,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="candidacy",
        verbose_name=_("member record"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        indexes = [
            models.Index(fields=["org_path", "name_folded"], name="candidate_path_name"),
            # The deadlines dashboard and the counts by stage read only this index: the
            # subtree's range, then the date, what is due and the stage of each entry (SQLite
            # plans by the path whichever index leads with it: 56 → 41 ms for the nation at 1M).
            models.Index(fields=["org_path", "due_on", "due_kind", "stage"], name="candidate_due"),
            # The same read where the date is the narrower test (PostgreSQL, for the country
            # or a large province: 5,150 entries due within 30 days instead of 47,985 cases).
            models.Index(
                fields=["due_on", "org_path", "due_kind", "stage"], name="candidate_due_date"
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def is_open(self) -> bool:
        return self.stage not in CLOSED


class CandidateStep(AppendOnlyModel):
    """One act on a case, as recorded: what (`step`), on which date, by which document (its
    number and who issued it), the votes where there was one, the introducers, the note; who
    recorded it and when. The case's timeline; never changed."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="steps")
    seq = models.PositiveIntegerField()
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    date = models.DateField(_("date"))
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    issuer = models.CharField(_("issued by"), max_length=255, blank=True)
    votes_for = models.PositiveIntegerField(_("votes in favour"), null=True, blank=True)
    votes_total = models.PositiveIntegerField(_("official members"), null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = person_ref()

    class Meta:
        ordering = ["candidate", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "seq"], name="candidate_step_seq")
        ]

    def __str__(self):
        return f"{self.candidate_id} {self.step} {self.date}"


class Target(OrgBoundModel):
    """A committee's target of new members for a term (e.g. Đăk Glei, 2020–2025: 600), with
    sub-targets among them. Progress is never typed in: it is counted from the admission
    events (admission.selectors.target_progress)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("committee")
    )
    term_start = models.DateField(_("term from"))
    term_end = models.DateField(_("term until"))
    total = models.PositiveIntegerField(_("new members"))
    ethnic_minority = models.PositiveIntegerField(_("of whom ethnic minority"), default=0)
    women = models.PositiveIntegerField(_("of whom women"), default=0)
    youth = models.PositiveIntegerField(_("of whom aged 30 or under"), default=0)
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = person_ref()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "term_start"], name="target_one_per_term"
            )
        ]

    def __str__(self):
        return f"{self.organisation_id} {self.term_start.year}–{self.term_end.year}: {self.total}"


class TargetPart(models.Model):
    """A share of a term target: for one year of the term, or for one child organisation."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="parts")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(year__isnull=False, organisation__isnull=True)
                    | models.Q(year__isnull=True, organisation__isnull=False)
                ),
                name="target_part_year_or_org",
            )
        ]

    def __str__(self):
        return f"{self.target_id} {self.year or self.organisation_id}: {self.count}"


class AdmissionMonth(models.Model):
    """The members admitted in one month under an organisation of the top three levels (the
    nation, a province, an organisation directly under a province), in the tree of each
    admission's day: how many, and of them women, ethnic minority and aged 30 or under. What a
    term target of the nation or of a province reads instead of its subtree's events
    (admission.tally; docs/decisions/0019). Kept in the transaction that records the
    admission; `dangvu check` recomputes it from the events. Not organisation-bound data:
    a figure of the tree's history, it stays with the organisation it counted for."""

    pk = models.CompositePrimaryKey("organisation", "month")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField()  # its first day
    admitted = models.IntegerField(default=0)
    women = models.IntegerField(default=0)
    minority = models.IntegerField(default=0)
    youth = models.IntegerField(default=0)

    def __str__(self):
        return f"{self.organisation_id} {self.month:%m/%Y}: {self.admitted}"
