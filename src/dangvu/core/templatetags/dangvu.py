"""Vietnamese number and date formats: 1.807; 66,12 %; 13/09/2021."""

from django import template
from django.utils.translation import get_language

register = template.Library()


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


@register.filter
def vnnum(value):
    try:
        text = f"{int(value):,}"
    except (TypeError, ValueError):
        return value
    return text if _english() else text.replace(",", ".")


@register.filter
def vnpct(value):
    try:
        text = f"{float(value):.2f}"
    except (TypeError, ValueError):
        return value
    return (text if _english() else text.replace(".", ",")) + " %"


@register.filter
def vndecimal(value):
    """A number with one decimal: 44,1 (44.1 in English)."""
    try:
        text = f"{float(value):.1f}"
    except (TypeError, ValueError):
        return value
    return text if _english() else text.replace(".", ",")


@register.filter
def vndate(value):
    return value.strftime("%d/%m/%Y") if value else ""


@register.simple_tag(takes_context=True)
def querystring_with(context, **kwargs):
    """The current query string with some keys replaced (None removes a key)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + params.urlencode()


@register.filter
def slice_after(value, prefix):
    """The text after `prefix` and the separator that follows it ("Chi bộ 2 › xã A" after
    "Chi bộ 2": "xã A")."""
    value, prefix = str(value), str(prefix)
    if value.startswith(prefix):
        return value[len(prefix) :].lstrip(" ›")
    return value


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def add_half(x, width):
    """The middle of a bar (SVG coordinates, written with a point whatever the language)."""
    return f"{float(x) + float(width) / 2:.1f}"


@register.simple_tag
def inline_stylesheet():
    """Dangvu's stylesheet inside the page (core.stylesheet)."""
    from dangvu.core.stylesheet import stylesheet

    return stylesheet()


@register.inclusion_tag("core/_files.html")
def file_links(api_path, **params):
    """Links to download a list or report as Excel and CSV: the API's own file of it
    (core.tables), with the filters the page shows (empty ones left out)."""
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, value in params.items():
        if value not in (None, ""):
            query[key] = getattr(value, "code", None) or (
                value.isoformat() if hasattr(value, "isoformat") else value
            )
    links = []
    for fmt, label in (("xlsx", "Excel"), ("csv", "CSV")):
        query["format"] = fmt
        links.append((f"{api_path}?{query.urlencode()}", label, fmt))
    return {"links": links}
