"""Filters of the statistics pages."""

from django import template

from dangvu.organisations.letterhead import COMMITTEE_KINDS

register = template.Library()


@register.filter
def holds_grassroots(kind: str) -> bool:
    """Whether an organisation of this kind has grassroots organisations under it: a committee
    above the grassroots. A cell's or a grassroots unit's count would be a meaningless 0 or 1."""
    return kind in COMMITTEE_KINDS
