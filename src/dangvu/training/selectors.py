"""Reads of training classes, each through the access gate with the actor (except the public
verification of a certificate's number): a class with its sessions and counts, a person's
classes and certificates, a trainer's week, and the report of a subtree over a period."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.apps import apps
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Length, Substr
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import allows, get_or_404, holds_anywhere, restrict
from dangvu.core.db import prefix_q
from dangvu.core.registry import DueItem
from dangvu.core.text import tokens
from dangvu.members.choices import IN_PARTY
from dangvu.members.models import Member
from dangvu.members.selectors import COUNT_BOUND, bounded_count
from dangvu.organisations.models import Organisation
from dangvu.training.choices import Mode, State, Status
from dangvu.training.models import (
    Certificate,
    ClassMaterial,
    ClassSession,
    ClassTally,
    Enrolment,
    SessionAttendance,
    TrainingClass,
)

__all__ = [
    "class_list",
    "class_get",
    "PersonTraining",
    "person_training",
    "trainer_week",
    "TrainingReport",
    "training_report",
    "CertificateFacts",
    "certificate_verify",
    "class_roll",
    "session_marks",
    "attended_counts",
    "material_get",
    "certificate_get",
    "class_certificates",
    "person_pick",
    "PersonChoice",
    "training_due",
    "person_find",
]

_COUNTS = {
    "enrolled_count": Count("enrolments", filter=Q(enrolments__status=Status.ENROLLED)),
    "waiting_count": Count("enrolments", filter=Q(enrolments__status=Status.WAITING)),
    "withdrawn_count": Count("enrolments", filter=Q(enrolments__status=Status.WITHDRAWN)),
}


def class_list(
    *, actor, organisation: Organisation | None = None, state: str | None = None
) -> QuerySet:
    """The classes the actor may see (under `organisation` when given), newest first, with
    their enrolment counts."""
    qs = restrict(TrainingClass.objects.all(), actor, "training.view")
    if organisation is not None:
        qs = qs.filter(prefix_q("org_path", organisation.path))
    if state:
        qs = qs.filter(state=state)
    return qs.select_related("organisation").annotate(**_COUNTS)


def class_get(*, actor, pk: int, action: str = "training.view") -> TrainingClass:
    """One class the actor may `action` (default: see), with its organiser, communes, sessions
    and materials (prefetched) and its counts (enrolled, waiting, withdrawn); Http404 outside
    the scope."""
    qs = (
        TrainingClass.objects.select_related("organisation")
        .prefetch_related("cluster", "sessions", "materials")
        .annotate(**_COUNTS)
    )
    return get_or_404(actor, qs, action, pk=pk)


@dataclass
class PersonTraining:
    enrolments: list[Enrolment]
    certificates: list[Certificate]


def person_training(*, actor, member: Member | None = None, candidate_id: int | None = None):
    """A person's enrolments (with their class) and certificates: those of classes the actor
    may see; all of them for the member themselves."""
    if (member is None) == (candidate_id is None):
        raise ValueError("one of member or candidate_id")
    qs = Enrolment.objects.select_related("training_class", "training_class__organisation")
    qs = qs.filter(member=member) if member is not None else qs.filter(candidate_id=candidate_id)
    own = (
        member is not None
        and member.user_id is not None
        and member.user_id == getattr(actor, "pk", None)
    )
    if not own:
        qs = qs.filter(training_class__in=restrict(TrainingClass.objects.all(), actor))
    enrolments = list(qs.order_by("-training_class__starts_on", "-pk"))
    certificates = list(
        Certificate.objects.filter(enrolment__in=[e.pk for e in enrolments])
        .select_related("enrolment__training_class")
        .order_by("-issued_on", "-pk")
    )
    return PersonTraining(enrolments, certificates)


def trainer_week(*, actor, on: date | None = None, in_charge_only: bool = False) -> list:
    """The sessions, Monday to Sunday of the week of `on`, of the classes the actor runs (may
    manage; only those they are in charge of with `in_charge_only`), with their class, in
    order. Cancelled classes are left out."""
    on = on or timezone.localdate()
    monday = on - timedelta(days=on.weekday())
    classes = restrict(TrainingClass.objects.all(), actor, "training.manage").exclude(
        state=State.CANCELLED
    )
    if in_charge_only:
        classes = classes.filter(in_charge_id=getattr(actor, "pk", None))
    return list(
        ClassSession.objects.filter(
            training_class__in=classes, day__gte=monday, day__lte=monday + timedelta(days=6)
        )
        .select_related("training_class", "training_class__organisation")
        .order_by("day", "starts_at", "pk")
    )


@dataclass
class TrainingReport:
    """A subtree's classes over a period (those with a session in it; cancelled ones left out):
    how many by kind and mode, the distinct people enrolled, how many of the results recorded
    were completions, the people by gender and ethnicity (members' and candidates' records),
    and the travel burden: enrolled people of in-person classes with a cluster whose own
    organisation is outside that cluster."""

    classes: int = 0
    by_kind_mode: dict[tuple[str, str], int] = field(default_factory=dict)
    participants: int = 0
    passed: int = 0
    failed: int = 0
    by_gender: dict[str, int] = field(default_factory=dict)
    by_ethnicity: dict[str, int] = field(default_factory=dict)
    travelling: int = 0
    in_cluster_classes_people: int = 0  # enrolled in in-person classes that have a cluster

    @property
    def completion_rate(self) -> float | None:
        done = self.passed + self.failed
        return self.passed / done if done else None

    @property
    def travel_share(self) -> float | None:
        n = self.in_cluster_classes_people
        return self.travelling / n if n else None


def training_report(*, actor, organisation: Organisation, start: date, end: date) -> TrainingReport:
    """The report of `organisation`'s subtree (classes whose organiser is in it) for the
    classes with a session between `start` and `end`. Http404 where the actor may not see the
    organisation's classes. Three queries, four where in-person classes are among them: the
    classes; their tallies (enrolled people by gender and ethnicity with the results:
    ClassTally, a few rows per class); the people enrolled in more than one class, who count
    once; the travellers."""
    probe = TrainingClass(org_path=organisation.path)
    if not allows(actor, "training.view", probe):
        raise Http404
    classes = restrict(
        TrainingClass.objects.filter(
            prefix_q("org_path", organisation.path), starts_on__lte=end, ends_on__gte=start
        ).exclude(state=State.CANCELLED),
        actor,
        "training.view",
    )
    report = TrainingReport()
    in_person = []
    for pk, kind, mode in classes.values_list("pk", "kind", "mode"):
        report.by_kind_mode[(kind, mode)] = report.by_kind_mode.get((kind, mode), 0) + 1
        report.classes += 1
        if mode == Mode.IN_PERSON:
            in_person.append(pk)
    if not report.classes:
        return report
    chosen = classes.values("pk")
    groups: dict[tuple[str, str], int] = {}
    tallies = (
        ClassTally.objects.filter(training_class__in=chosen)
        .values_list("gender", "ethnicity")
        .annotate(n=Sum("enrolled"), passed=Sum("passed"), failed=Sum("failed"))
        .order_by()
    )
    for gender, ethnicity, n, passed, failed in tallies:
        groups[gender, ethnicity] = n
        report.passed += passed
        report.failed += failed
    # A person enrolled in several of the classes counts once (the repeated rows only).
    repeats = (
        Enrolment.objects.filter(training_class__in=chosen, status=Status.ENROLLED, repeated=True)
        .values_list("gender", "ethnicity", "member_id", "candidate_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .order_by()
    )
    for gender, ethnicity, _member, _candidate, n in repeats:
        groups[gender, ethnicity] = groups.get((gender, ethnicity), 0) - (n - 1)
    for (gender, ethnicity), people in groups.items():
        report.participants += people
        report.by_gender[gender] = report.by_gender.get(gender, 0) + people
        report.by_ethnicity[ethnicity] = report.by_ethnicity.get(ethnicity, 0) + people
    if not in_person:
        return report
    # In a cluster when one of the class's communes is a prefix of the person's organisation
    # path (materialised paths: the commune's subtree).
    through = TrainingClass.cluster.through
    inside = through.objects.filter(
        trainingclass_id=OuterRef("training_class_id"),
        organisation__path=Substr(OuterRef("person_path"), 1, Length("organisation__path")),
    )
    has_cluster = through.objects.filter(trainingclass_id=OuterRef("training_class_id"))
    travel = (
        Enrolment.objects.filter(training_class_id__in=in_person, status=Status.ENROLLED)
        .annotate(clustered=Exists(has_cluster), inside=Exists(inside))
        .filter(clustered=True)
        .aggregate(
            people=Count("pk"),
            travelling=Count("pk", filter=Q(inside=False)),
        )
    )
    report.in_cluster_classes_people = travel["people"]
    report.travelling = travel["travelling"]
    return report


@dataclass(frozen=True)
class CertificateFacts:
    """What a certificate's verification tells anyone: whose it is, for which class, by whom,
    when."""

    number: str
    full_name: str
    class_title: str
    kind: str
    kind_label: str
    organiser: str
    issued_on: date


def certificate_verify(number: str) -> CertificateFacts | None:
    """The public facts of the certificate with this number (spaces around it and the case of
    its letters do not count), or None: no personal particulars beyond the name."""
    number = " ".join((number or "").split()).upper()
    if not number or len(number) > 80:
        return None
    cert = (
        Certificate.objects.filter(number=number)
        .select_related("enrolment__training_class", "organiser")
        .first()
    )
    if cert is None:
        return None
    c = cert.enrolment.training_class
    return CertificateFacts(
        number=cert.number,
        full_name=cert.full_name,
        class_title=c.title,
        kind=c.kind,
        kind_label=c.get_kind_display(),
        organiser=cert.organiser.name,
        issued_on=cert.issued_on,
    )


# --- the pages' reads (the class was read through the gate by class_get) --------------------------


def class_roll(c: TrainingClass) -> dict[str, list[Enrolment]]:
    """The class's people in one query: enrolled (by name), waiting (by place in the queue),
    withdrawn (by name); each enrolment carries `certificate_number` (or None)."""
    rows = list(
        c.enrolments.annotate(certificate_number=_certificate_number())
        .select_related("person_org")
        .order_by("name_folded", "pk")
    )
    out: dict[str, list[Enrolment]] = {s: [] for s in Status.values}
    for e in rows:
        out[e.status].append(e)
    out[Status.WAITING].sort(key=lambda e: e.position or 0)
    return out


def _certificate_number():
    return Subquery(Certificate.objects.filter(enrolment=OuterRef("pk")).values("number")[:1])


def session_marks(session: ClassSession) -> dict[int, bool]:
    """{enrolment id: present} as recorded for a session (a person without a row: not yet)."""
    return dict(
        SessionAttendance.objects.filter(session=session).values_list("enrolment_id", "present")
    )


def attended_counts(c: TrainingClass) -> dict[int, int]:
    """{enrolment id: sessions attended} for the class, in one aggregate query."""
    return dict(
        SessionAttendance.objects.filter(session__training_class=c, present=True)
        .values_list("enrolment_id")
        .annotate(n=Count("pk"))
        .order_by()
    )


def material_get(*, actor, class_id: int, material_id: int) -> ClassMaterial:
    """A material of a class the actor may see; Http404 otherwise."""
    c = get_or_404(actor, TrainingClass, "training.view", pk=class_id)
    m = ClassMaterial.objects.filter(training_class=c, pk=material_id).first()
    if m is None:
        raise Http404
    return m


def certificate_get(*, actor, pk: int) -> Certificate:
    """A certificate the actor may see: one of a class they may see, or their own (the member
    whose user they are); Http404 otherwise."""
    cert = (
        Certificate.objects.select_related("enrolment__member", "enrolment__training_class")
        .filter(pk=pk)
        .first()
    )
    if cert is None:
        raise Http404
    member = cert.enrolment.member
    own = (
        member is not None
        and member.user_id is not None
        and member.user_id == getattr(actor, "pk", None)
    )
    if not own and not allows(actor, "training.view", cert.enrolment.training_class):
        raise Http404
    return cert


def class_certificates(c: TrainingClass) -> list[Certificate]:
    return list(
        Certificate.objects.filter(enrolment__training_class=c)
        .select_related("enrolment")
        .order_by("seq")
    )


@dataclass(frozen=True)
class PersonChoice:
    """A person a trainer may enrol: a member ("m<id>") or an admission case ("c<id>")."""

    key: str
    full_name: str
    org_name: str
    is_candidate: bool
    obj: object = None

    @property
    def label(self) -> str:
        return f"{self.full_name} · {self.org_name}"


PICK_LIMIT = 20


def person_pick(*, actor, q: str, limit: int = PICK_LIMIT) -> list[PersonChoice]:
    """Members in the party and open admission cases whose folded name holds every word of `q`,
    among those the actor may enrol (`training.manage` on their organisation): a trainer sees
    names, not member records. At most `limit` of each kind, by name."""
    words = tokens(q)
    if not words:
        return []
    members = restrict(Member.objects.filter(status__in=IN_PARTY), actor, "training.manage")
    for w in words:
        members = members.filter(name_folded__contains=w)
    out = [
        PersonChoice(f"m{m.pk}", m.full_name, m.organisation.name, False, m)
        for m in members.select_related("organisation").order_by("name_folded", "pk")[:limit]
    ]
    if apps.is_installed("dangvu.admission"):
        from dangvu.admission.choices import OPEN  # noqa: PLC0415 — optional app
        from dangvu.admission.models import Candidate  # noqa: PLC0415

        cases = restrict(Candidate.objects.filter(stage__in=sorted(OPEN)), actor, "training.manage")
        for w in words:
            cases = cases.filter(name_folded__contains=w)
        out += [
            PersonChoice(f"c{c.pk}", c.full_name, c.organisation.name, True, c)
            for c in cases.select_related("organisation").order_by("name_folded", "pk")[:limit]
        ]
    return out


def person_find(*, actor, key: str) -> PersonChoice | None:
    """The person of a picker's key ("m12", "c7") among those the actor may enrol."""
    if len(key) < 2 or key[0] not in "mc" or not key[1:].isdigit() or len(key) > 20:
        return None
    pk = int(key[1:])
    if key[0] == "m":
        m = (
            restrict(Member.objects.filter(pk=pk, status__in=IN_PARTY), actor, "training.manage")
            .select_related("organisation")
            .first()
        )
        return PersonChoice(key, m.full_name, m.organisation.name, False, m) if m else None
    if not apps.is_installed("dangvu.admission"):
        return None
    from dangvu.admission.models import Candidate  # noqa: PLC0415 — optional app

    c = (
        restrict(Candidate.objects.filter(pk=pk), actor, "training.manage")
        .select_related("organisation")
        .first()
    )
    return PersonChoice(key, c.full_name, c.organisation.name, True, c) if c else None


def training_due(actor, today: date) -> list[DueItem]:
    """The home page's training work (core.registry.DueSource), for those who run classes:
    sessions this week, sessions held whose attendance is not recorded, and closed classes
    whose last session is over (results to record)."""
    if not holds_anywhere(actor, "training.manage"):
        return []
    items = []
    classes = restrict(TrainingClass.objects.all(), actor, "training.manage")
    live = classes.exclude(state__in=(State.CANCELLED, State.FINISHED))
    url = reverse("training:list")

    def add(qs, title, level):
        n = bounded_count(qs)
        if n:
            items.append(
                DueItem(title, min(n, COUNT_BOUND), url, level=level, more=n > COUNT_BOUND)
            )

    monday = today - timedelta(days=today.weekday())
    add(
        ClassSession.objects.filter(
            training_class__in=live, day__gte=monday, day__lte=monday + timedelta(days=6)
        ),
        _("Class sessions this week"),
        "soon",
    )
    add(
        ClassSession.objects.filter(training_class__in=live, day__lt=today, attendance_taken=False),
        _("Class sessions held without a roll call"),
        "overdue",
    )
    add(
        live.filter(state=State.CLOSED, ends_on__lt=today),
        _("Classes whose results are to be recorded"),
        "due",
    )
    return items
