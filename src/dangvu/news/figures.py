"""Live figures in an article: a token `[[so-lieu:MEASURE:ORG]]` in the body is shown as the
current figure of that organisation's subtree, with its date, each time the page is made (the
cache keeps a page at most FIGURE_TTL), so a published number stays true.

Measures: `members` (party members), `women_share`, `ethnic_minority_share`, `religious_share`
(shares of the members, per cent): aggregates the statistics publish, never a person's data."""

import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangvu.core.templatetags.dangvu import vndate, vnnum, vnpct
from dangvu.organisations.models import Organisation
from dangvu.stats.selectors import membership_figures

__all__ = ["MEASURES", "TOKEN", "Figure", "tokens_in", "figure_of", "render_figures"]

TOKEN = re.compile(r"\[\[so-lieu:([a-z_]+):([A-Z0-9-]{1,40})\]\]")
MEASURES = {
    "members": gettext_lazy("party members"),
    "women_share": gettext_lazy("women among the members"),
    "ethnic_minority_share": gettext_lazy("ethnic minorities among the members"),
    "religious_share": gettext_lazy("religious believers among the members"),
}


@dataclass(frozen=True)
class Figure:
    text: str  # "66,12 %"
    label: str
    organisation: str
    as_of: str  # dd/mm/yyyy


def tokens_in(body: str) -> list[tuple[str, str]]:
    return TOKEN.findall(body or "")


def figure_of(measure: str, org: Organisation) -> Figure:
    report = membership_figures(org)
    if measure == "members":
        text = vnnum(report["members"]["total"])
    else:
        text = vnpct(report[measure.removesuffix("_share")]["percent"])
    return Figure(text, str(MEASURES[measure]), org.name, vndate(timezone.localdate()))


def render_figures(html: str) -> str:
    """The body with each token replaced by its figure (a token whose organisation no longer
    exists says so instead of a stale number)."""

    def one(m: re.Match) -> str:
        measure, code = m.groups()
        org = Organisation.objects.filter(code=code).first()
        if measure not in MEASURES or org is None or not org.active_on(timezone.localdate()):
            return format_html(
                '<span class="figure-live gone">{}</span>', _("(figure no longer available)")
            )
        f = figure_of(measure, org)
        return format_html(
            '<span class="figure-live"><strong>{}</strong> {}, {} <small>({})</small></span>',
            f.text,
            f.label,
            f.organisation,
            _("figures as of %(day)s") % {"day": f.as_of},
        )

    return TOKEN.sub(one, html or "")
