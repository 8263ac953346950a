"""What other apps show on an organisation's page: each registers a panel from its
`AppConfig.ready()` (members: the member list; reports: the key figures), so the page shows
the work of apps above `organisations` without importing them (dangvu.layers)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.http import HttpRequest

from dangvu.organisations.models import Organisation

__all__ = ["Panel", "register_panel", "panels_for"]


@dataclass(frozen=True)
class Panel:
    """`render(request, org, on)` returns the panel's HTML, or None when it has nothing for this
    person here (it decides through the access gate, with request.user). `on` is the date the
    page shows the organisation as of (None: today). `place`: "summary"
    (above the organisations under it) or "content" (below)."""

    name: str
    order: int
    render: Callable[[HttpRequest, Organisation, date | None], str | None]
    place: str = "content"


_panels: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    _panels[panel.name] = panel


def panels_for(request: HttpRequest, org: Organisation, on: date | None = None) -> dict:
    """{place: [HTML of each panel with something to show]}, in order."""
    out: dict[str, list[str]] = {"summary": [], "content": []}
    for panel in sorted(_panels.values(), key=lambda p: p.order):
        html = panel.render(request, org, on)
        if html:
            out[panel.place].append(html)
    return out
