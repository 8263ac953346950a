"""What every app's API router shares (the NinjaAPI that mounts them is dangvu.api): the error
bodies every operation documents, the date type with the supported range, and bounded paging
parameters. Lives in core so that apps below `api` can use it (docs/decisions/0010)."""

from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AfterValidator, Field

from dangvu.core.dates import check_in_range, time_of_day
from dangvu.core.uploads import FILE_KINDS

__all__ = [
    "ErrorOut",
    "FieldErrorOut",
    "ValidationErrorOut",
    "Day",
    "Clock",
    "documented",
    "MAX_ID",
    "codes",
    "file_response",
    "StoredFileOut",
    "FILE_DOWNLOAD",
]

MAX_ID = 2**63 - 1  # the largest 64-bit id: a larger number is no id (422, not a 500)


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    loc: list[str] = Field(description='Where: ["query" | "path" | "body", field name]')
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[FieldErrorOut]
    errors: dict[str, list[str]] = Field(description="{field: [messages]}, the same in short")


def _in_range(value: date) -> date:
    check_in_range(value)
    return value


# A date Dangvu accepts: 1900-01-01 to 2100-12-31 (core.dates.MIN_DATE, MAX_DATE).
Day = Annotated[date, AfterValidator(_in_range)]
# A time of day, "19:30" (core.dates.time_of_day: no time zone, no seconds).
Clock = Annotated[time, AfterValidator(time_of_day)]


def documented(ok: Any, status: int = 200, *, auth: bool = True) -> dict[int, Any]:
    """The responses of an operation: its own, and the errors every operation may answer
    (401 without a valid token, 404 for anything outside the caller's scope, 422 for bad
    input naming the field)."""
    responses = {status: ok, 404: ErrorOut, 422: ValidationErrorOut}
    if auth:
        responses[401] = ErrorOut
    return responses


def codes(values, *extra: str) -> Any:
    """A coded field's type: its codes (a TextChoices, or any iterable of codes) and `extra`
    values ("" for none, "open"...) as a Literal, which the schema shows as an enum. Its
    Vietnamese labels are at /api/v1/reference."""
    found = tuple(str(v) for v in getattr(values, "values", values))  # codes, not members
    return Literal[found + tuple(v for v in extra if v not in found)]


def file_response(description: str, content_types) -> dict:
    """The `openapi_extra` of an operation answering a file of one of `content_types`."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        "responses": {
            200: {
                "description": description,
                "content": {t.split(";")[0]: binary for t in content_types},
            }
        }
    }


# A stored file as it is downloaded: any type an upload may have (core.uploads.FILE_KINDS).
FILE_DOWNLOAD = file_response(
    "The file, as an attachment under its sender's name",
    [k.content_type for k in FILE_KINDS.values()],
)


class StoredFileOut(Schema):
    """A file attached to a record (core.uploads)."""

    id: int
    name: str = Field(description="The sender's file name (a label; stored under another)")
    kind: codes(tuple(FILE_KINDS)) = Field(description="Its type, read from its bytes")
    size: int = Field(description="In bytes")
    uploaded_at: datetime
    url: str = Field(description="Where it is downloaded (GET, with your token)")
