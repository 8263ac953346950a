"""Training classes of the political centre (DOMAIN.md §3.3 step 2, "Features" 6): the class
with its sessions and materials, who is enrolled (members and admission candidates), who
attended each session, the result and the certificate."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangvu.core.models import person_ref
from dangvu.members.models import Member
from dangvu.organisations.models import Organisation, OrgBoundModel
from dangvu.training.choices import Kind, Mode, Result, State, Status

__all__ = [
    "TrainingClass",
    "ClassSession",
    "ClassTally",
    "ClassMaterial",
    "Enrolment",
    "SessionAttendance",
    "Certificate",
    "CertificateCounter",
]


class TrainingClass(OrgBoundModel):
    """A class its organiser runs (the district political centre's committee before 1/7/2025,
    a committee since): its kind, mode (in person in a cluster of communes, online, or both),
    capacity, audience and lecturers, its sessions, and what completing it takes: the share of
    the sessions attended (the rules registry's `training_min_attendance_share` on its last
    day, unless the class sets its own) and, where the class holds a final test, its pass mark
    (on the 10-point scale). `starts_on` / `ends_on` follow its sessions (the reports read
    them). Organisation-bound: registered in TrainingConfig.ready()."""

    # Indexed by the composite index below, led by the path.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organiser"),
        db_index=False,
    )
    org_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices)
    title = models.CharField(_("title"), max_length=300)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PLANNED
    )
    location = models.CharField(_("location"), max_length=300, blank=True)
    # The commune-level organisations whose people the in-person class serves (a cluster of
    # communes): a participant from outside them travels (training.selectors.training_report).
    cluster = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("communes served")
    )
    online_link = models.URLField(_("online link"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"))
    audience = models.CharField(_("target audience"), max_length=500, blank=True)
    lecturers = models.TextField(_("lecturers"), blank=True)
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("minimum attendance (%)"), null=True, blank=True
    )
    pass_mark = models.DecimalField(
        _("pass mark of the final test"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    starts_on = models.DateField(_("first session"), null=True, blank=True)
    ends_on = models.DateField(_("last session"), null=True, blank=True)
    in_charge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("staff in charge"),
    )
    finished_on = models.DateField(_("results recorded on"), null=True, blank=True)
    recorded_by = person_ref()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("training class")
        verbose_name_plural = _("training classes")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["org_path", "starts_on"], name="class_path_start")]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="class_capacity_positive"),
            models.CheckConstraint(
                condition=Q(min_attendance_percent__isnull=True)
                | Q(min_attendance_percent__gte=1, min_attendance_percent__lte=100),
                name="class_attendance_percent",
            ),
            models.CheckConstraint(
                condition=Q(pass_mark__isnull=True) | Q(pass_mark__gte=0, pass_mark__lte=10),
                name="class_pass_mark",
            ),
        ]

    def __str__(self):
        return self.title


class ClassSession(models.Model):
    """One session of a class: its day, hours, topic and lecturer; `attendance_taken` once the
    roll was called or a participant list imported (a class finishes only when every session's
    is)."""

    training_class = models.ForeignKey(
        TrainingClass, on_delete=models.CASCADE, related_name="sessions"
    )
    day = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    topic = models.CharField(_("topic"), max_length=300)
    lecturer = models.CharField(_("lecturer"), max_length=200, blank=True)
    attendance_taken = models.BooleanField(_("attendance recorded"), default=False)

    class Meta:
        ordering = ["day", "starts_at", "id"]
        indexes = [models.Index(fields=["day"], name="class_session_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="class_session_hours"
            )
        ]

    def __str__(self):
        return f"{self.training_class_id} {self.day} {self.topic}"


class ClassMaterial(models.Model):
    """A document of a class (the programme, a lecture's slides, a reading) as PDF, DOCX or an
    image, checked from its bytes before it is stored (core.uploads), under a generated name."""

    training_class = models.ForeignKey(
        TrainingClass, on_delete=models.CASCADE, related_name="materials"
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    file = models.FileField(max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(max_length=10)  # core.uploads.FILE_KINDS
    size = models.PositiveIntegerField()
    uploaded_by = person_ref()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return f"{self.training_class_id} {self.name}"


class Enrolment(models.Model):
    """A person in a class: a party member, or a person on the admission pipeline
    (`candidate_id`, an admission.Candidate's id: a plain number, so that training runs
    without the admission app; docs/decisions/0022). The name (as printed on the certificate,
    and folded for matching an online platform's list), the person's organisation, gender and
    ethnicity are copied when they enrol. Enrolled, on the waiting list (at `position`, 1 first), or
    withdrawn; at the end the final test's score and the result."""

    training_class = models.ForeignKey(
        TrainingClass, on_delete=models.CASCADE, related_name="enrolments"
    )
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    candidate_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    full_name = models.CharField(_("full name"), max_length=150)
    name_folded = models.CharField(max_length=150, editable=False)
    person_org = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("party cell"),
        db_index=False,
    )
    person_path = models.CharField(max_length=255, editable=False)
    # The person's gender and ethnicity as recorded when they enrolled, for the report's
    # aggregates only (never shown per person): counting them by a join to 68,000 member rows
    # took 280 ms for a 5.6M-member country's largest province (docs/decisions/0022).
    gender = models.CharField(max_length=1, blank=True, editable=False)
    ethnicity = models.CharField(max_length=2, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ENROLLED
    )
    # The person is enrolled in another class as well (kept by training.services._recount): the
    # report takes only these rows to count a person in two of its classes once.
    repeated = models.BooleanField(default=False, editable=False)
    position = models.PositiveIntegerField(_("place on the waiting list"), null=True, blank=True)
    score = models.DecimalField(
        _("final test score"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    result = models.CharField(
        _("result"), max_length=20, choices=Result.choices, default=Result.PENDING
    )
    enrolled_at = models.DateTimeField(auto_now_add=True)
    recorded_by = person_ref()

    class Meta:
        ordering = ["training_class", "name_folded", "id"]
        indexes = [
            models.Index(
                fields=["training_class"], condition=Q(repeated=True), name="enrolment_repeated"
            )
        ]
        constraints = [
            # Never twice in the same class (NULLs differ: the other kind of person is free).
            models.UniqueConstraint(
                fields=["training_class", "member"], name="enrolment_one_per_member"
            ),
            models.UniqueConstraint(
                fields=["training_class", "candidate_id"], name="enrolment_one_per_candidate"
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=False, candidate_id__isnull=True)
                | Q(member__isnull=True, candidate_id__isnull=False),
                name="enrolment_one_person",
            ),
            models.UniqueConstraint(
                fields=["training_class", "position"], name="enrolment_waiting_place"
            ),
            models.CheckConstraint(
                condition=Q(status=Status.WAITING, position__isnull=False)
                | (~Q(status=Status.WAITING) & Q(position__isnull=True)),
                name="enrolment_waiting_has_place",
            ),
        ]

    def __str__(self):
        return f"{self.training_class_id} {self.full_name} {self.status}"


class ClassTally(models.Model):
    """A class's enrolled people by gender and ethnicity (as copied on their enrolments), with
    how many completed and did not: recounted from the roll by every service that changes the
    roll or the results (training.services._recount), so that a province's report over a year
    sums a few rows per class instead of reading every enrolment (docs/decisions/0022)."""

    training_class = models.ForeignKey(TrainingClass, on_delete=models.CASCADE, related_name="+")
    gender = models.CharField(max_length=1, blank=True)
    ethnicity = models.CharField(max_length=2, blank=True)
    enrolled = models.PositiveIntegerField()
    passed = models.PositiveIntegerField()
    failed = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["training_class", "gender", "ethnicity"], name="class_tally_group"
            )
        ]

    def __str__(self):
        return f"{self.training_class_id} {self.gender} {self.ethnicity} {self.enrolled}"


class SessionAttendance(models.Model):
    """Whether an enrolled person attended one session, as the roll call or the platform's list
    recorded it (with the minutes online where the list says). A session without a row for a
    person counts as missed."""

    pk = models.CompositePrimaryKey("session", "enrolment")
    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="+")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(_("present"))
    minutes = models.PositiveIntegerField(_("minutes online"), null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.session_id} {self.enrolment_id} {self.present}"


class Certificate(models.Model):
    """The certificate of a completed enrolment. Its number is `seq/year/TTCT-<organiser's
    code>` ("12/2025/TTCT-KT-DG"): consecutive per organiser and calendar year of issue, without
    gaps (CertificateCounter), and unique across the country (organiser codes are). Anyone can
    verify a number (training.selectors.certificate_verify)."""

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.PROTECT, related_name="certificate"
    )
    organiser = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    year = models.PositiveSmallIntegerField()
    seq = models.PositiveIntegerField()
    number = models.CharField(_("certificate number"), max_length=80, unique=True)
    issued_on = models.DateField(_("issued on"))
    full_name = models.CharField(_("full name"), max_length=150)
    recorded_by = person_ref()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organiser", "year", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["organiser", "year", "seq"], name="certificate_seq_per_year"
            )
        ]

    def __str__(self):
        return self.number


class CertificateCounter(models.Model):
    """The last certificate number an organiser gave in a year: the row that issuing locks
    (select_for_update), so that two issues at once never take the same number nor skip one."""

    organiser = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organiser", "year"], name="certificate_counter")
        ]

    def __str__(self):
        return f"{self.organiser_id} {self.year}: {self.last}"
