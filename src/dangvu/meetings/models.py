"""Cell meetings (sinh hoạt chi bộ): the plan, the record with its attendance, the locked
minutes and their corrections (DOMAIN.md §4)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangvu.core.models import person_ref
from dangvu.meetings.choices import Absence, Evaluator, Kind, Level, State, TaskState
from dangvu.members.models import Member
from dangvu.organisations.models import Organisation, OrgBoundModel

__all__ = [
    "Meeting",
    "MeetingAbsence",
    "MeetingCorrection",
    "MeetingEvaluation",
    "MeetingFile",
    "MeetingMonth",
    "Supervision",
    "SupervisionVisit",
    "MemberTask",
]


class Meeting(OrgBoundModel):
    """One meeting of a party cell: planned (date, topic, agenda, place or link), then recorded
    (when it was held, who chaired and took the minutes, the content, the resolution, the
    minutes) and finally locked when the minutes are approved; a locked meeting changes only by
    a recorded correction (MeetingCorrection).

    Attendance is stored as what differs from "present" (MeetingAbsence): the cell's members
    on the day come from their in-party periods, and most attend. The counts that follow are
    kept on the row (the dashboards read them, not the absences)."""

    # Indexed by the composite indexes below (Meta), led by each.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("party cell"),
        db_index=False,
    )
    org_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PLANNED
    )
    planned_on = models.DateField(_("planned for"))
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), max_length=300, blank=True)
    topic = models.CharField(_("topic"), max_length=300, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)

    held_on = models.DateField(_("held on"), null=True, blank=True)
    started_at = models.TimeField(_("started at"), null=True, blank=True)
    ended_at = models.TimeField(_("ended at"), null=True, blank=True)
    chair = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    minute_taker = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    guests = models.TextField(_("guests"), blank=True)
    content = models.TextField(_("content"), blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)

    # What the attendance adds up to (meetings.services.attendance_counts).
    roster = models.PositiveSmallIntegerField(default=0)  # the cell's members that day
    away = models.PositiveSmallIntegerField(default=0)  # temporarily elsewhere
    convened = models.PositiveSmallIntegerField(default=0)  # expected to attend
    present = models.PositiveSmallIntegerField(default=0)
    excused = models.PositiveSmallIntegerField(default=0)
    unexcused = models.PositiveSmallIntegerField(default=0)
    exempt_absent = models.PositiveSmallIntegerField(default=0)
    quorum_base = models.PositiveSmallIntegerField(default=0)  # official members counted
    official_present = models.PositiveSmallIntegerField(default=0)
    valid = models.BooleanField(null=True)

    approved_on = models.DateField(_("minutes approved on"), null=True, blank=True)
    recorded_by = person_ref()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-planned_on", "-id"]
        indexes = [
            # A cell's calendar and a subtree's month (the dashboards): the path, then the day.
            models.Index(fields=["org_path", "planned_on"], name="meeting_path_day"),
            models.Index(fields=["organisation", "planned_on"], name="meeting_cell_day"),
        ]

    def __str__(self):
        return f"{self.organisation_id} {self.kind} {self.planned_on}"

    @property
    def minutes_long(self) -> int | None:
        """How long it lasted, in minutes (None until both times are recorded)."""
        if self.started_at is None or self.ended_at is None:
            return None
        return (self.ended_at.hour * 60 + self.ended_at.minute) - (
            self.started_at.hour * 60 + self.started_at.minute
        )

    @property
    def attendance_rate(self) -> float | None:
        return self.present / self.convened if self.convened else None

    @property
    def attendance_percent(self) -> float | None:
        return round(self.present / self.convened * 100, 2) if self.convened else None


class MeetingAbsence(models.Model):
    """A member of the cell who did not attend, with or without an approved reason (present is
    the default and is not stored)."""

    pk = models.CompositePrimaryKey("meeting", "member")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="absences")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Absence.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    def __str__(self):
        return f"{self.meeting_id} {self.member_id} {self.kind}"


class MeetingCorrection(models.Model):
    """A change to a meeting whose minutes were approved: the field, its value before and
    after, the reason, who and when. Appended, never changed."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="corrections")
    field = models.CharField(max_length=40)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    recorded_by = person_ref()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self):
        return f"{self.meeting_id} {self.field}"


class MeetingFile(models.Model):
    """A file attached to a meeting: the resolution or the minutes as PDF or DOCX, or a photo
    of the signed page. Its type is read from its bytes and its size checked before it is
    stored (core.uploads); it is stored under a generated name and served only through the
    meeting's gate. Attached until the minutes are approved; after that, only by a correction's
    reason (it is then part of the record)."""

    class Role(models.TextChoices):
        RESOLUTION = "resolution", _("Resolution")
        MINUTES = "minutes", _("Minutes")
        OTHER = "other", _("Other document")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(_("document"), max_length=20, choices=Role.choices)
    file = models.FileField(max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(max_length=10)  # core.uploads.FILE_KINDS
    size = models.PositiveIntegerField()
    uploaded_by = person_ref()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return f"{self.meeting_id} {self.name}"


class MeetingEvaluation(models.Model):
    """A meeting scored on the scoring sheet in force for its province on its day, by the cell
    or by the supervising committee member (one each): the points per criterion, the total,
    the quality level that follows, strengths and weaknesses."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="evaluations")
    by = models.CharField(_("evaluated by"), max_length=20, choices=Evaluator.choices)
    scorer_name = models.CharField(_("scored by"), max_length=150, blank=True)
    scores = models.JSONField(default=dict)
    total = models.PositiveSmallIntegerField(default=0)
    level = models.CharField(_("quality"), max_length=10, choices=Level.choices)
    sheet = models.CharField(max_length=200)  # the document the sheet comes from
    strengths = models.TextField(_("strengths"), blank=True)
    weaknesses = models.TextField(_("weaknesses"), blank=True)
    recorded_by = person_ref()
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "by"], name="one_evaluation_per_side")
        ]

    def __str__(self):
        return f"{self.meeting_id} {self.by} {self.level}"


class Supervision(OrgBoundModel):
    """A committee's assignment of one of its people (a standing-committee member, a board's
    staff) to follow a cell for a period (Directive 12-CT/TU of Hà Giang: attend and direct its
    meetings). Belongs to the supervised cell; `committee` is who assigned."""

    committee = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("committee")
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("supervisor"),
    )
    supervisor_name = models.CharField(_("supervisor"), max_length=150)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = person_ref()

    class Meta:
        ordering = ["-valid_from", "id"]

    def __str__(self):
        return f"{self.supervisor_name} → {self.organisation_id}"

    def covers(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class SupervisionVisit(models.Model):
    """A meeting the supervisor plans to attend, and whether they did, with their notes."""

    pk = models.CompositePrimaryKey("supervision", "meeting")
    supervision = models.ForeignKey(Supervision, on_delete=models.CASCADE, related_name="visits")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="visits")
    attended = models.BooleanField(null=True)  # None: planned, not yet reported
    notes = models.TextField(_("notes"), blank=True)

    def __str__(self):
        return f"{self.supervision_id} {self.meeting_id} {self.attended}"


class MemberTask(OrgBoundModel):
    """A concrete task the cell gives one member (Directive 12-CT/TU: every member, suited to
    their ability, conditions and health), with its due date, then its review at a meeting."""

    org_path = models.CharField(max_length=255, editable=False)  # indexed with the due date
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("task"), max_length=300)
    detail = models.TextField(_("detail"), blank=True)
    suited_to = models.CharField(_("suited to (ability, conditions, health)"), max_length=300)
    assigned_on = models.DateField(_("assigned on"))
    due_on = models.DateField(_("due on"))
    assigned_at = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=20, choices=TaskState.choices, default=TaskState.OPEN
    )
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    reviewed_at = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review = models.TextField(_("review"), blank=True)
    recorded_by = person_ref()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["member", "due_on"], name="task_member_due"),
            models.Index(fields=["org_path", "due_on"], name="task_path_due"),
        ]

    def __str__(self):
        return f"{self.member_id}: {self.title}"


class MeetingMonth(models.Model):
    """The cell meetings of one month under an organisation of the top three levels (the
    nation, a province, an organisation directly under a province): what the dashboard of a
    large subtree reads instead of its meetings (meetings.rollup; docs/decisions/0021). Kept
    in the transaction of every write that moves it; `dangvu check` recomputes it. Not
    organisation-bound data: a figure of the organisation it counts for."""

    pk = models.CompositePrimaryKey("organisation", "month")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField()  # its first day
    cells_met = models.IntegerField(default=0)
    held = models.IntegerField(default=0)
    present = models.BigIntegerField(default=0)
    convened = models.BigIntegerField(default=0)
    invalid = models.IntegerField(default=0)
    good = models.IntegerField(default=0)
    fair = models.IntegerField(default=0)
    average = models.IntegerField(default=0)
    poor = models.IntegerField(default=0)
    first_visits = models.IntegerField(default=0)

    def __str__(self):
        return f"{self.organisation_id} {self.month:%m/%Y}: {self.cells_met}"
