"""`{% letterhead_of org [on] as head %}`: the letterhead of an organisation (an Organisation
or its code) for the print partials (templates/_print_header.html, _print_signatures.html)."""

from django import template

from dangvu.organisations.letterhead import Letterhead, letterhead_for

register = template.Library()


@register.simple_tag(takes_context=True)
def letterhead_of(context, org, on=None) -> Letterhead | None:
    """None when there is no organisation (a page without one prints no letterhead). Kept on
    the request: the header and the signatures of a page ask once."""
    if not org:
        return None
    request = context.get("request")
    cache = getattr(request, "_letterheads", None) if request is not None else None
    if cache is None:
        cache = {}
        if request is not None:
            request._letterheads = cache
    key = (getattr(org, "pk", org), on or None)
    if key not in cache:
        cache[key] = letterhead_for(org, on or None)
    return cache[key]
