"""A document's files through the API (documents.api): attached by the issuer's managers,
listed with the document, downloaded by those who may read it, through the same services and
gate as the document's page; a refused file is a 422 naming the field and changes nothing;
outside the caller's scope the document and its files do not exist."""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from dangvu.accounts.scoping import SYSTEM
from dangvu.audit.models import AuditRecord
from dangvu.documents.choices import Status
from dangvu.documents.models import DocumentFile
from dangvu.documents.services import file_attach, implementation_report, recipients_send
from dangvu.testing.factories import db_snapshot, stored_rows

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"


@pytest.fixture
def plan(tree, make_document):
    """The province's plan, sent to cell 1."""
    d = make_document()
    recipients_send(actor=SYSTEM, document=d, organisations=[tree.cell1], due_on=date(2022, 9, 30))
    return d


def _attach(client, document_id, **data):
    return client.client.post(f"/api/v1/documents/{document_id}/files", data, **client._headers())


def _stored_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def _unchanged():
    return db_snapshot(), stored_rows(), _stored_files()


def test_the_issuer_attaches_a_file_the_document_lists_it_and_its_readers_download_it(
    users, api_client, plan
):
    staff = api_client(users.staff_kt)
    r = _attach(staff, plan.pk, title="Bản ký", file=SimpleUploadedFile("90-KH-TU ký.pdf", PDF))
    assert r.status_code == 201, r.content
    f = r.json()
    row = DocumentFile.objects.get(document=plan)
    assert (f["id"], f["title"], f["name"], f["kind"], f["size"]) == (
        row.pk,
        "Bản ký",
        "90-KH-TU ký.pdf",
        "pdf",
        len(PDF),
    )
    assert f["url"] == f"/api/v1/documents/{plan.pk}/files/{row.pk}"
    assert AuditRecord.objects.filter(
        action="documents.file_attach", object_type="document", object_id=plan.pk
    ).exists()

    # The document's answer lists it (id, name, size, when).
    files = staff.get(f"/documents/{plan.pk}").json()["files"]
    assert [(x["id"], x["name"], x["size"]) for x in files] == [
        (row.pk, "90-KH-TU ký.pdf", len(PDF))
    ]
    assert files[0]["uploaded_at"].startswith(str(row.uploaded_at.date()))

    # The cell it was sent to reads it and downloads its file, as on the page.
    reader = api_client(users.sec1)
    assert [x["id"] for x in reader.get(f"/documents/{plan.pk}").json()["files"]] == [row.pk]
    d = reader.get(f"/documents/{plan.pk}/files/{row.pk}")
    assert d.status_code == 200
    assert b"".join(d.streaming_content) == PDF
    assert d["Content-Type"] == "application/pdf"
    assert d["Content-Disposition"].startswith("attachment")
    assert d["X-Content-Type-Options"] == "nosniff"


def test_a_report_file_is_not_one_of_the_documents_files_and_is_read_by_those_who_see_the_report(
    tree, users, api_client, plan
):
    r = plan.recipients.get(organisation=tree.cell1)
    implementation_report(actor=SYSTEM, recipient=r, status=Status.IN_PROGRESS, on=date(2022, 6, 1))
    f = file_attach(
        actor=SYSTEM, document=plan, recipient=r, upload=SimpleUploadedFile("bc.pdf", PDF)
    )
    staff = api_client(users.staff_kt)
    assert staff.get(f"/documents/{plan.pk}").json()["files"] == []
    assert staff.get(f"/documents/{plan.pk}/files/{f.pk}").status_code == 200
    assert api_client(users.sec1).get(f"/documents/{plan.pk}/files/{f.pk}").status_code == 200


def test_a_file_that_is_not_accepted_is_422_naming_the_file_and_nothing_is_stored(
    users, api_client, plan
):
    staff = api_client(users.staff_kt)
    before = _unchanged()
    r = _attach(staff, plan.pk, file=SimpleUploadedFile("ke-hoach.docx", PDF))
    assert r.status_code == 422, r.content
    assert list(r.json()["errors"]) == ["file"]
    assert ".pdf" in r.json()["errors"]["file"][0]
    empty = _attach(staff, plan.pk, file=SimpleUploadedFile("rong.pdf", b""))
    assert empty.status_code == 422 and list(empty.json()["errors"]) == ["file"]
    missing = _attach(staff, plan.pk, title="Phụ lục")
    assert missing.status_code == 422 and list(missing.json()["errors"]) == ["file"]
    assert _unchanged() == before


def test_a_reader_who_does_not_manage_the_document_cannot_attach(users, api_client, plan):
    reader = api_client(users.sec1)
    before = _unchanged()
    assert reader.get(f"/documents/{plan.pk}").status_code == 200
    assert _attach(reader, plan.pk, file=SimpleUploadedFile("a.pdf", PDF)).status_code == 404
    assert _unchanged() == before


@pytest.mark.parametrize("who", ["staff_qn", "sec2", "nobody"])
def test_outside_the_scope_the_document_and_its_files_do_not_exist(users, api_client, plan, who):
    f = file_attach(actor=SYSTEM, document=plan, upload=SimpleUploadedFile("kh.pdf", PDF))
    client = api_client(getattr(users, who))
    before = _unchanged()
    assert client.get(f"/documents/{plan.pk}").status_code == 404
    assert client.get(f"/documents/{plan.pk}/files/{f.pk}").status_code == 404
    assert _attach(client, plan.pk, file=SimpleUploadedFile("x.pdf", PDF)).status_code == 404
    assert _unchanged() == before
