"""How the audit trail reads, shared by its pages and its API: what a read of a member's
particulars was, in words; the search as its filters; the page's entries with their links."""

from django.utils.translation import gettext_lazy

from dangvu.accounts.scoping import release_sensitive
from dangvu.audit.display import readable, sensitive_changes
from dangvu.audit.selectors import AuditFilters
from dangvu.audittrail.choices import ObjectType
from dangvu.audittrail.selectors import object_links, people_matching
from dangvu.core.registry import org_bound_entries
from dangvu.members.fields import record_field

__all__ = ["VIA", "via_label", "field_labels", "filters_of", "entries_for", "object_label"]

VIA = {
    "page": gettext_lazy("on your record's page"),
    "list": gettext_lazy("in a list of members"),
    "edit": gettext_lazy("to correct your record"),
    "api": gettext_lazy("through the API"),
    "audit": gettext_lazy("in the audit trail"),
    "cli": gettext_lazy("from the command line"),
    "web": gettext_lazy("on the export page"),
}


def via_label(via: str) -> str:
    return str(VIA.get(via, via))


def field_labels(names) -> list[str]:
    out = []
    for name in names:
        try:
            out.append(str(record_field(name).label))
        except KeyError:
            out.append(str(name))
    return out


def object_label(code: str) -> str:
    return str(ObjectType(code).label) if code in ObjectType.values else code


def filters_of(data: dict) -> AuditFilters:
    """The selector's filters from a cleaned search (the page's form or the API's query):
    `org` an Organisation or None, `who` a text, `actor` a user id."""
    actor_ids = None
    if data.get("actor"):
        actor_ids = (int(data["actor"]),)
    if (data.get("who") or "").strip():
        named = people_matching(data["who"])
        actor_ids = named if actor_ids is None else tuple(set(named) & set(actor_ids))
    org = data.get("org")
    return AuditFilters(
        org_path=org.path if org is not None else None,
        actor_ids=actor_ids,
        object_type=data.get("object_type") or "",
        object_id=data.get("object_id") or "",
        action=data.get("action") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        kind=data.get("kind") or "",
    )


def _released(actor, records) -> set[tuple[str, str]]:
    """(object type, id) of the records' objects whose particulars the actor may see, among
    those whose change shows particulars; released as any page releases them (one audit record
    per kind of object, via "audit"). Nothing is released where nothing sensitive changed."""
    wanted: dict[str, set[int]] = {}
    for r in records:
        if r.object_id.isdigit() and sensitive_changes(r):
            wanted.setdefault(r.object_type, set()).add(int(r.object_id))
    shown = set()
    for entry in org_bound_entries():
        name = entry.model._meta.model_name
        if name in wanted and entry.sensitive_fields:
            objs = entry.model._default_manager.filter(pk__in=sorted(wanted[name]))
            shown |= {(name, str(pk)) for pk in release_sensitive(actor, objs, via="audit")}
    return shown


def entries_for(actor, records, *, release: bool) -> list:
    """The records as the page shows them (audit.display entries, each with `link` to its
    object's page and `object_label`): particulars in a change shown where the actor's view of
    the object covers them — released and recorded when `release` (the page), hidden
    otherwise (the API and its files, which never carry particulars: decision 0026)."""
    records = list(records)
    shown = _released(actor, records) if release else set()
    entries = readable(records, show_sensitive=lambda r: (r.object_type, r.object_id) in shown)
    links = object_links(records)
    for e in entries:
        e.link = links.get(e.record.pk, "")
        e.object_label = object_label(e.record.object_type)
    return entries
