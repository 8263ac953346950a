"""An article's body as stored: HTML cleaned by nh3 (an allow-list: no script, no event
handler, no style, links and images to http(s) or the site itself only)."""

import nh3

__all__ = ["clean_html", "ALLOWED_TAGS"]

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "strong", "em", "b", "i", "u", "a", "ul", "ol", "li",
    "blockquote", "figure", "figcaption", "img", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"scope"},
}


def clean_html(html: str) -> str:
    """The HTML an editor sent, reduced to what the portal shows."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()
