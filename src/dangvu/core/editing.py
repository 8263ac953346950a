"""No lost update (issue 21; docs/decisions/0029): an edit of a record in place is refused when
the record changed after the editor read it, with what changed, by whom and when.

Every edit path (a page form or an API operation that changes a record in place, not the
append-only events) declares its record once as an `Editable`: the fields the editor sees and
their labels, how to read them from the row, and where its audit records are. Then:

- the page form carries `version` (a hidden input; `versioned` adds it) and the API's GET
  answers it: a signed token (django.core.signing) of what the editor was shown: each field's
  keyed digest (HMAC with the SECRET_KEY: a digest of a low-entropy value such as an ethnicity
  code cannot be reversed) and, for a short value the reader may see, the value as shown;
- the service, holding the row's lock, compares the row's values now with the token
  (`Editable.check`): any difference raises `EditConflict` and nothing is written. Its message
  names each field, the value the editor saw and the value now, and the latest audit record of
  the object (who, when). The page shows it over the form and sends the current token with it
  (saving again after reading the message is a deliberate decision); the API answers 409.

A field-values fingerprint needs no migration and conflicts only on what the editor could see:
an event moving the member to another cell is not an edit of their name. The registry
(`editables()`) lets a contract test run the same race over every edit path.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django import forms
from django.core import signing
from django.db import models
from django.utils import formats, timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field

from dangvu.core.apischema import documented
from dangvu.core.errors import ValidationError

__all__ = [
    "Editable",
    "EditConflict",
    "Change",
    "versioned",
    "shown_value",
    "editable",
    "editables",
    "register_change_finder",
    "conflict_shown",
    "VERSION_HELP",
    "VersionField",
    "ConflictOut",
    "edit_responses",
]

SALT = "dangvu.core.editing"
SHOWN_MAX = 120  # a longer value is kept as its digest only (the token stays small)
NOW_MAX = 120  # a longer value now is cut in the message

VERSION_HELP = (
    "The `version` of the record as you read it (GET). When given and the record has changed "
    "since, nothing is written and the answer is 409 naming each changed field (the value you "
    "read, the value now, who changed it and when). Left out, the fields you send overwrite "
    "whatever they hold."
)


def _canonical(value: Any) -> str:
    """One text per value, whatever type the row or the form gives it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return (
            timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{k}={_canonical(v)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, list | tuple | set | frozenset):
        return "[" + ",".join(sorted(_canonical(v) for v in value)) + "]"
    return str(value)


def shown_value(value: Any) -> str:
    """A value as the pages show it (Vietnamese dates, yes / no, an object by its name)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "d/m/Y H:i")
    if isinstance(value, date):
        return formats.date_format(value, "d/m/Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(sorted(shown_value(v) for v in value)) or "—"
    return str(value)


def _digest(name: str, key: str, value: Any) -> str:
    return salted_hmac(
        SALT, f"{key}\x00{name}\x00{_canonical(value)}", algorithm="sha256"
    ).hexdigest()[:16]


@dataclass(frozen=True)
class Change:
    """One field changed since the editor read the record: `seen` is None where the token kept
    only the digest (a long text, a field the reader may not see)."""

    field: str
    label: str
    seen: str | None
    now: str
    digest: str = ""  # of the value seen (conflict_shown: did the editor change the field?)


class EditConflict(ValidationError):
    """The record changed after the editor read it: nothing was written. A ValidationError, so
    every form shows it over the fields; the API answers it with 409 (dangvu.api)."""

    def __init__(
        self, *, changes: list[Change], by: str, at: datetime | None, version: str, key: str = ""
    ):
        self.changes = changes
        self.key = key
        self.by = by
        self.at = at
        self.version = version  # the record's version now: sending it saves over the changes
        super().__init__({"__all__": [self.text()]}, code="conflict")

    def text(self) -> str:
        items = "; ".join(
            _("%(label)s: '%(seen)s' → '%(now)s'")
            % {"label": c.label, "seen": c.seen, "now": c.now}
            if c.seen is not None
            else _("%(label)s: changed, now '%(now)s'") % {"label": c.label, "now": c.now}
            for c in self.changes
        )
        if self.by and self.at is not None:
            head = _("The record was changed by %(who)s at %(time)s after you opened it:") % {
                "who": self.by,
                "time": formats.date_format(timezone.localtime(self.at), "H:i d/m/Y"),
            }
        else:
            head = _("The record was changed after you opened it:")
        return f"{head} {items}. {_('Review it and save again.')}"

    def as_json(self) -> dict:
        return {
            "detail": self.text(),
            "version": self.version,
            "changed_by": self.by or None,
            "changed_at": self.at,
            "changes": [
                {"field": c.field, "label": c.label, "seen": c.seen, "now": c.now}
                for c in self.changes
            ],
        }


@dataclass(frozen=True)
class Editable:
    """A record edited in place.

    - `name`: the registry key, e.g. "members.record";
    - `labels`: field -> label (lazy) of every field the editor sees;
    - `read`: the row -> {field: value as the editor sees it} (the same keys);
    - `audit`: the row -> (object_type, object_id) of its audit records;
    - `secret`: fields kept as digests only (sensitive particulars: the API's token is read
      by people who do not see them);
    - `show`: (field, value) -> the text a message shows (default: shown_value);
    - `page` / `api`: the page (URL name) and the API operation that edit it (the contract
      test drives both);
    - `row_labels`: the row -> labels of fields that depend on it (a class's score sheet: a
      field per participant, labelled with their name), over `labels`."""

    name: str
    labels: Callable[[], Mapping[str, Any]]
    read: Callable[[Any], Mapping[str, Any]]
    audit: Callable[[Any], tuple[str, Any]]
    secret: frozenset[str] = field(default_factory=frozenset)
    show: Callable[[str, Any], str] | None = None
    page: str = ""
    api: str = ""
    row_labels: Callable[[Any], Mapping[str, Any]] | None = None

    def _key(self, obj) -> str:
        return f"{self.name}:{obj.pk}"

    def _text(self, name: str, value: Any) -> str:
        return self.show(name, value) if self.show is not None else shown_value(value)

    def version(self, obj) -> str:
        """The token of what `obj` holds now (for the page form and the API's GET)."""
        key = self._key(obj)
        fields = {}
        for name, value in self.read(obj).items():
            shown = None
            if name not in self.secret:
                text = self._text(name, value)
                shown = text if len(text) <= SHOWN_MAX else None
            fields[name] = [_digest(name, key, value), shown]
        return signing.dumps({"o": key, "f": fields}, salt=SALT, compress=True)

    def _load(self, obj, version: str) -> dict:
        try:
            data = signing.loads(version, salt=SALT)
        except signing.BadSignature:
            data = None
        if not isinstance(data, dict) or data.get("o") != self._key(obj):
            raise ValidationError(
                {"version": _("This is not a version of this record: read the record again.")}
            )
        return data["f"]

    def changes(self, obj, version: str, *, fields: Iterable[str] | None = None) -> list[Change]:
        seen = self._load(obj, version)
        wanted = None if fields is None else set(fields)
        labels = dict(self.labels())
        key = self._key(obj)
        out = []
        for name, value in self.read(obj).items():
            if name not in seen or (wanted is not None and name not in wanted):
                continue
            digest, shown = seen[name]
            if _digest(name, key, value) != digest:
                if self.row_labels is not None and not out:
                    labels.update(self.row_labels(obj))
                now = self._text(name, value)
                if len(now) > NOW_MAX:
                    now = now[: NOW_MAX - 1] + "…"
                out.append(Change(name, str(labels.get(name, name)), shown, now, digest))
        return out

    def check(self, obj, version: str | None, *, fields: Iterable[str] | None = None) -> None:
        """Refuse the edit (EditConflict) when `obj`, read under its lock, no longer holds what
        `version` says the editor saw (only `fields`, when given). No version: no check (an API
        client that did not send one overwrites the fields it sends)."""
        if not version:
            return
        changed = self.changes(obj, version, fields=fields)
        if not changed:
            return
        latest = _change_finder(*self.audit(obj)) if _change_finder is not None else None
        raise EditConflict(
            changes=changed,
            by=latest[0] if latest is not None else "",
            at=latest[1] if latest is not None else None,
            version=self.version(obj),
            key=self._key(obj),
        )


_EDITABLES: dict[str, Editable] = {}

# (object_type, object_id) -> (who, when) of the object's latest change, or None: given by the
# audit app (AuditConfig.ready), which sits above core.
_change_finder: Callable[[str, Any], tuple[str, datetime] | None] | None = None


def register_change_finder(finder: Callable[[str, Any], tuple[str, datetime] | None]) -> None:
    global _change_finder
    _change_finder = finder


def editable(spec: Editable) -> Editable:
    """Register an edit path (once, at import of the app's services)."""
    if _EDITABLES.get(spec.name, spec) is not spec:
        raise ValueError(f"edit path {spec.name!r} declared twice")
    _EDITABLES[spec.name] = spec
    return spec


def editables() -> dict[str, Editable]:
    return dict(_EDITABLES)


# --- page forms --------------------------------------------------------------------------------


def versioned(form: forms.Form, version: str) -> forms.Form:
    """Give an edit form its hidden `version` input: the token of the record as the page shows
    it now. A refused save (a field error) sends back what the editor posted, so the token
    stays the one of what they saw until they read the record again (`conflict_shown`)."""
    form.fields["version"] = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=20000, initial=version
    )
    return form


def conflict_shown(form: forms.Form, exc: EditConflict) -> None:
    """After a refused save: the form keeps the editor's input, says what changed (over the
    fields), and carries the record's version now, so that saving again, having read the
    message, is a decision. A field the editor left as they saw it and someone else changed
    shows its value now (the form's initial: the view reads the record on every request)."""
    data = form.data.copy()
    data[form.add_prefix("version")] = exc.version
    cleaned = getattr(form, "cleaned_data", {})
    for c in exc.changes:
        name = c.field
        if name not in form.fields or name not in cleaned or name not in form.initial:
            continue
        if _digest(name, exc.key, cleaned[name]) != c.digest:
            continue  # the editor changed it too: their input stays
        widget = form.fields[name].widget
        value = form.fields[name].prepare_value(form.initial[name])
        key = form.add_prefix(name)  # a form of several on one page posts "prefix-name"
        if isinstance(widget, forms.CheckboxInput):
            if value:
                data[key] = "on"
            else:
                data.pop(key, None)
        elif isinstance(widget, forms.widgets.Input | forms.Select | forms.Textarea):
            data[key] = widget.format_value(value) or ""
    form.data = data
    form.add_error(None, exc.messages)


# --- the API ---------------------------------------------------------------------------------


def VersionField():  # noqa: N802 - reads as a type in a schema
    """The `version` of an edit's body (optional: see VERSION_HELP and docs/decisions/0029)."""
    return Field(None, max_length=20000, description=VERSION_HELP)


class ChangeOut(Schema):
    field: str
    label: str
    seen: str | None = Field(description="The value you read (null: not shown, e.g. a long text)")
    now: str


class ConflictOut(Schema):
    detail: str
    version: str = Field(description="The record's version now: send it to save over the changes")
    changed_by: str | None
    changed_at: datetime | None
    changes: list[ChangeOut]


def edit_responses(ok: Any, status: int = 200) -> dict[int, Any]:
    """An edit operation's responses: documented()'s and 409 when the record changed since the
    version sent."""
    return {**documented(ok, status), 409: ConflictOut}
