"""Login required everywhere except sign-in, static files and the API (bearer tokens)."""

from urllib.parse import urlsplit

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

__all__ = ["DangvuLoginRequiredMiddleware"]

OPEN_PREFIXES = ("/api/", "/static/", "/i18n/")


class DangvuLoginRequiredMiddleware(LoginRequiredMiddleware):
    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(OPEN_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)

    def handle_no_permission(self, request, view_func):
        """A session that expired during an htmx request (a live search, a tree node): htmx
        would put the sign-in page inside the results box. It is told to load the sign-in page
        as a whole page, coming back afterwards to the page the person was on."""
        if not request.headers.get("HX-Request"):
            return super().handle_no_permission(request, view_func)
        current = request.headers.get("HX-Current-URL", "")
        parts = urlsplit(current)
        back = parts.path + (f"?{parts.query}" if parts.query else "")
        if not back or not url_has_allowed_host_and_scheme(
            current, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = "/"
        response = HttpResponse(status=204)
        login = resolve_url(self.get_login_url(view_func))
        response["HX-Redirect"] = f"{login}?{urlencode({'next': back})}"
        return response
