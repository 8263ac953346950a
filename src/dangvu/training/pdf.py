"""A certificate as a PDF (A4 landscape) with WeasyPrint, in the typeface the official forms use
(reports.pdf.font_family: a serif with every Vietnamese letter), under its organiser's
letterhead as the tree stood on the day of issue."""

from django.template.loader import render_to_string

from dangvu.organisations.letterhead import letterhead_for
from dangvu.reports.pdf import font_family
from dangvu.training.models import Certificate

__all__ = ["certificate_pdf"]


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate's PDF. The caller has checked that the actor may see it (its class's
    gate, or the person themselves)."""
    from weasyprint import HTML  # imported here: it loads pango, a second on first use

    cert = Certificate.objects.select_related(
        "enrolment__training_class", "enrolment__member", "organiser"
    ).get(pk=certificate.pk)
    c = cert.enrolment.training_class
    letterhead = letterhead_for(cert.organiser, cert.issued_on)
    member = cert.enrolment.member
    html = render_to_string(
        "training/certificate.html",
        {
            "number": cert.number,
            "letterhead": letterhead,
            "organiser": cert.organiser.name,
            "full_name": cert.full_name,
            "birth_date": member.birth_date if member is not None else None,
            "kind": c.get_kind_display(),
            "title": c.title,
            "starts_on": c.starts_on,
            "ends_on": c.ends_on,
            "date_line": letterhead.date_line(cert.issued_on),
            "font_family": font_family(),
        },
    )
    return HTML(string=html).write_pdf()
