"""Security headers: the Content-Security-Policy from django-csp (settings
CONTENT_SECURITY_POLICY: every asset is served by Dangvu itself, no inline script), with the
page's inline stylesheet admitted by its hash; the Permissions-Policy; no caching of personal
data."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from dangvu.core.stylesheet import stylesheet_hash

__all__ = [
    "ContentSecurityPolicyMiddleware",
    "LanguageMiddleware",
    "NoStoreMiddleware",
    "SecurityHeadersMiddleware",
    "VaryOnHtmxMiddleware",
]

# The API docs page (Swagger UI) loads its own bundled assets and an inline bootstrap.
DOCS_PATH = "/api/v1/docs"
DOCS_REPLACE = {
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "form-action": None,
}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware; two things the settings cannot say: the one inline <style>
    of every page (core.stylesheet) is admitted by its sha256, computed when the stylesheet is
    read, and the API docs page gets its inline bootstrap."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        if request.path.startswith(DOCS_PATH):
            parts.replace = {**DOCS_REPLACE, **(parts.replace or {})}
        else:
            update = dict(parts.update or {})
            update["style-src"] = [*update.get("style-src", ()), stylesheet_hash()]
            parts.update = update
        return parts


class SecurityHeadersMiddleware:
    """What the browser may use besides the page: no camera, microphone or location."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        return response


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` (Django's never-cache headers) on every response that
    can carry personal data: every API response, every response to a request with a bearer
    token or from a signed-in user. A shared computer's browser cache or a proxy must not keep
    a member's record or a report. One rule rather than a decorator per view: a view added later
    is covered. Static files never get here (WhiteNoise answers them before this middleware, so
    they keep their long caching); pages for anonymous visitors (sign-in) keep their own
    headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            or "HTTP_AUTHORIZATION" in request.META
            or _signed_in(request)
        ):
            add_never_cache_headers(response)
        return response


def _signed_in(request) -> bool:
    # request.user is there once AuthenticationMiddleware ran (not when an earlier middleware
    # answered, e.g. CommonMiddleware's redirect to a URL with a slash).
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class LanguageMiddleware:
    """Vietnamese first: the language is Vietnamese unless the person chose another one (the
    language cookie set by /i18n/setlang/). The browser's Accept-Language is ignored, so an
    officer's phone set to English still gets the Vietnamese UI until she switches."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class VaryOnHtmxMiddleware:
    """`Vary: HX-Request` on every page: a URL that answers htmx with a fragment and the browser
    with a whole page must not have the fragment kept as the page (Back, reload, a proxy).
    One rule for every view, those to come included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(("/static/", "/api/")):
            patch_vary_headers(response, ("HX-Request",))
        return response
