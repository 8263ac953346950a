"""What an htmx request asks for."""

__all__ = ["wants_fragment"]


def wants_fragment(request) -> bool:
    """The request is htmx's own (a live search, a tree node): answer with the fragment it
    swaps in. Not when htmx restores a page from history it no longer holds
    (HX-History-Restore-Request): it then swaps the whole body and needs the whole page."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get(
        "HX-History-Restore-Request"
    )
