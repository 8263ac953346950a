"""The stages of the admission pipeline and the steps between them. Codes are stable: never
rename or reuse one."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Stage", "Step", "Proposer", "ORDER", "OPEN", "BEFORE_ADMISSION", "CLOSED"]


class Stage(models.TextChoices):
    """Where a case stands (DOMAIN.md §3.3), in the order it moves through them."""

    IDENTIFIED = "identified", _("Identified as an outstanding person")
    CLASS_PASSED = "class_passed", _("Awareness class passed")
    APPLIED = "applied", _("Application and CV submitted")
    CV_VERIFIED = "cv_verified", _("CV verified")
    INTRODUCED = "introduced", _("Introduced by party members")
    CELL_RESOLVED = "cell_resolved", _("Cell resolution adopted")
    COMMITTEE_RESOLVED = "committee_resolved", _("Grassroots committee resolution adopted")
    ADMITTED = "admitted", _("Admission decided")
    PROBATION = "probation", _("On probation (ceremony held)")
    RECOGNISED = "recognised", _("Recognised as official member")
    NOT_RECOGNISED = "not_recognised", _("Probation ended without recognition")
    WITHDRAWN = "withdrawn", _("Withdrawn or rejected")


class Step(models.TextChoices):
    """What is recorded on a case: a move to the next stage, a vote that failed, a withdrawal."""

    IDENTIFIED = "identified", _("Identified")
    CLASS_PASSED = "class_passed", _("Awareness class passed")
    APPLIED = "applied", _("Application and CV received")
    CV_VERIFIED = "cv_verified", _("CV verification")
    INTRODUCED = "introduced", _("Introducers")
    CELL_RESOLVED = "cell_resolved", _("Cell resolution")
    COMMITTEE_RESOLVED = "committee_resolved", _("Grassroots committee resolution")
    ADMITTED = "admitted", _("Admission decision")
    CEREMONY = "ceremony", _("Admission ceremony")
    RECOGNISED = "recognised", _("Recognition as official member")
    NOT_RECOGNISED = "not_recognised", _("Not recognised")
    VOTE_FAILED = "vote_failed", _("Vote without the required majority")
    WITHDRAWN = "withdrawn", _("Withdrawn or rejected")


class Proposer(models.TextChoices):
    """Who proposed the person as an outstanding non-member (DOMAIN.md §3.3 step 1)."""

    CELL = "cell", _("The party cell")
    YOUTH_UNION = "youth_union", _("Youth Union")
    WOMEN_UNION = "women_union", _("Women's Union")
    FARMERS_UNION = "farmers_union", _("Farmers' Union")
    VETERANS = "veterans", _("Veterans' Association")
    FRONT = "front", _("Fatherland Front")
    TRADE_UNION = "trade_union", _("Trade union")
    EMULATION = "emulation", _("Emulation movement")


# The stage each forward step leads to, and the stage it must come from.
ORDER: tuple[tuple[str, str, str], ...] = (
    (Step.CLASS_PASSED, Stage.IDENTIFIED, Stage.CLASS_PASSED),
    (Step.APPLIED, Stage.CLASS_PASSED, Stage.APPLIED),
    (Step.CV_VERIFIED, Stage.APPLIED, Stage.CV_VERIFIED),
    (Step.INTRODUCED, Stage.CV_VERIFIED, Stage.INTRODUCED),
    (Step.CELL_RESOLVED, Stage.INTRODUCED, Stage.CELL_RESOLVED),
    (Step.COMMITTEE_RESOLVED, Stage.CELL_RESOLVED, Stage.COMMITTEE_RESOLVED),
    (Step.ADMITTED, Stage.COMMITTEE_RESOLVED, Stage.ADMITTED),
    (Step.CEREMONY, Stage.ADMITTED, Stage.PROBATION),
    (Step.RECOGNISED, Stage.PROBATION, Stage.RECOGNISED),
    (Step.NOT_RECOGNISED, Stage.PROBATION, Stage.NOT_RECOGNISED),
)
CLOSED = frozenset({Stage.RECOGNISED, Stage.NOT_RECOGNISED, Stage.WITHDRAWN})
OPEN = frozenset(Stage.values) - CLOSED
# A case is withdrawn only before the decision: after it the person is a member, whose
# probation ends in recognition or not.
BEFORE_ADMISSION = (
    Stage.IDENTIFIED,
    Stage.CLASS_PASSED,
    Stage.APPLIED,
    Stage.CV_VERIFIED,
    Stage.INTRODUCED,
    Stage.CELL_RESOLVED,
    Stage.COMMITTEE_RESOLVED,
)
