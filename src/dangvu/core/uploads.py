"""Checking an uploaded file before it is stored: its size, and its type read from its bytes
(never from the name or the browser's Content-Type, which the sender chooses).

A resolution or minutes arrive as PDF, Word (DOCX) or a photo of the signed page (JPEG, PNG,
WebP). A file is accepted when its first bytes are those of one of the allowed types and its
name's extension agrees with them; a DOCX is a ZIP that holds a Word document. The stored
name is generated (`stored_name`): the sender's name is kept only as a label."""

import io
import uuid
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangvu.core.errors import ValidationError
from dangvu.core.text import clean_text

__all__ = [
    "FileKind",
    "FILE_KINDS",
    "CheckedFile",
    "check_upload",
    "max_upload_bytes",
    "stored_name",
    "download",
]


@dataclass(frozen=True)
class FileKind:
    code: str
    label: str
    extensions: tuple[str, ...]
    content_type: str


FILE_KINDS = {
    k.code: k
    for k in (
        FileKind("pdf", gettext_lazy("PDF"), ("pdf",), "application/pdf"),
        FileKind(
            "docx",
            gettext_lazy("Word document (DOCX)"),
            ("docx",),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        FileKind("jpeg", gettext_lazy("JPEG image"), ("jpg", "jpeg"), "image/jpeg"),
        FileKind("png", gettext_lazy("PNG image"), ("png",), "image/png"),
        FileKind("webp", gettext_lazy("WebP image"), ("webp",), "image/webp"),
    )
}


@dataclass(frozen=True)
class CheckedFile:
    name: str  # the sender's file name, cleaned (a label only)
    kind: FileKind
    size: int


def max_upload_bytes() -> int:
    return settings.DANGVU_UPLOAD_MAX_BYTES


def _sniff(head: bytes, upload) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"PK\x03\x04"):
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
    return None


def check_upload(upload, *, field: str = "file", allowed=tuple(FILE_KINDS)) -> CheckedFile:
    """The file's cleaned name, kind and size, or a ValidationError on `field` that says what
    is wrong (empty, too large, a type that is not allowed, a name that does not match its
    content). `upload` is a Django UploadedFile (or any file object with `name` and `size`)."""
    if upload is None:
        raise ValidationError({field: _("Choose a file.")})
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    limit = max_upload_bytes()
    raw_name = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    try:
        name = clean_text(raw_name, max_length=200) or "file"
    except ValueError:
        name = "file"
    if size == 0:
        raise ValidationError({field: _("%(name)s is empty.") % {"name": name}})
    if size > limit:
        raise ValidationError(
            {
                field: _("%(name)s is %(size)s MB; a file may be at most %(limit)s MB.")
                % {
                    "name": name,
                    "size": f"{size / 1048576:.1f}".replace(".", ","),
                    "limit": f"{limit / 1048576:g}".replace(".", ","),
                }
            }
        )
    upload.seek(0)
    head = upload.read(16)
    code = _sniff(head, upload)
    upload.seek(0)
    kinds = ", ".join(str(FILE_KINDS[c].label) for c in allowed)
    if code is None or code not in allowed:
        raise ValidationError(
            {
                field: _("%(name)s is not an accepted file; send one of: %(kinds)s.")
                % {"name": name, "kinds": kinds}
            }
        )
    kind = FILE_KINDS[code]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in kind.extensions:
        raise ValidationError(
            {
                field: _("%(name)s holds a %(kind)s; its name should end in .%(ext)s.")
                % {"name": name, "kind": kind.label, "ext": kind.extensions[0]}
            }
        )
    return CheckedFile(name=name, kind=kind, size=size)


def stored_name(prefix: str, kind: FileKind) -> str:
    """Where a checked file is stored: a generated name under `prefix` (the sender's name never
    reaches the file system)."""
    return f"{prefix}/{uuid.uuid4().hex}.{kind.extensions[0]}"


def download(stored) -> FileResponse:
    """A stored file (its `file`, `name` and `kind`) as a download: an attachment under the
    sender's name with the type read from its bytes, never rendered inline (nosniff); 404 when
    the file is gone from the disk."""
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=stored.name,
        content_type=FILE_KINDS[stored.kind].content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
