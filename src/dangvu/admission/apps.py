from django.apps import AppConfig


class AdmissionConfig(AppConfig):
    name = "dangvu.admission"
    label = "admission"
    verbose_name = "Admission"

    def ready(self):
        from dangvu.admission.models import Candidate, Target
        from dangvu.admission.selectors import admission_due
        from dangvu.admission.services import candidates_reassign
        from dangvu.admission.tally import AdmissionTally, AdmissionTallyTree, tally_check
        from dangvu.core.registry import (
            DueSource,
            OrgBound,
            register_check,
            register_due,
            register_org_bound,
            register_tree_observer,
        )
        from dangvu.members.apps import SENSITIVE_FIELDS
        from dangvu.members.projections import register_projection

        # A case belongs to the cell that cultivates the person; the person's particulars are
        # as sensitive as a member's. A merge or split carries the open cases to the cell that
        # continues it; closed ones stay with the ended cell as its history.
        register_org_bound(
            OrgBound(
                model=Candidate,
                label="candidates",
                view_action="admission.view",
                sensitive_fields=SENSITIVE_FIELDS,
                sensitive_action="members.view_sensitive",
                reassign=candidates_reassign,
            )
        )
        register_org_bound(OrgBound(model=Target, label="targets", view_action="admission.view"))
        register_due(DueSource(name="admission", order=20, items=admission_due))
        # The admissions of each month under the top three levels (admission.tally).
        register_projection(AdmissionTally())
        register_tree_observer(AdmissionTallyTree())
        register_check("admissions by month", tally_check)
