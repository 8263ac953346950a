"""Pages of the site itself: the error pages Django does not render through a template name
alone (the CSRF failure), each in the site's layout with a way back."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

__all__ = ["csrf_failure", "bad_request", "permission_denied", "page_not_found"]


def _back(request) -> str:
    """The previous page, when it is one of ours."""
    referer = request.META.get("HTTP_REFERER", "")
    ok = url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()})
    return referer if ok else ""


def csrf_failure(request, reason=""):
    return render(
        request, "403_csrf.html", {"back_url": _back(request), "lang_next": "/"}, status=403
    )


def bad_request(request, exception=None):
    return render(request, "400.html", {"back_url": _back(request), "lang_next": "/"}, status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", {"back_url": _back(request), "lang_next": "/"}, status=403)


def page_not_found(request, exception=None):
    # A path under the API that no route matches (e.g. a value its converter refuses) answers
    # as the API's own 404s do: JSON, not the site's page.
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found"}, status=404)
    return render(request, "404.html", {"back_url": _back(request), "lang_next": "/"}, status=404)
