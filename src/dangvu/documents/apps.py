from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "dangvu.documents"
    label = "documents"
    verbose_name = "Documents"

    def ready(self):
        from dangvu.core.registry import DueSource, OrgBound, register_due, register_org_bound
        from dangvu.documents.models import Document, Recipient
        from dangvu.documents.selectors import documents_due
        from dangvu.documents.services import documents_move, recipients_move

        # A document is its issuer's record, and a recipient row its recipient's: after a
        # merge or split both stay with the organisation that held them, as its history (no
        # reassign); a move rewrites their paths. Files are read through their document.
        register_org_bound(
            OrgBound(
                model=Document,
                label="documents",
                view_action="documents.view",
                move=documents_move,
            )
        )
        register_org_bound(
            OrgBound(
                model=Recipient,
                label="document recipients",
                view_action="documents.view",
                move=recipients_move,
            )
        )
        register_due(DueSource(name="documents", order=50, items=documents_due))
