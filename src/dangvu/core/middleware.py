"""Security headers the settings cannot express: a strict Content-Security-Policy (every asset
is served by Dangvu itself; no inline script), and no caching of personal data."""

from django.utils.cache import add_never_cache_headers, patch_vary_headers

from dangvu.core.stylesheet import stylesheet_hash

__all__ = [
    "LanguageMiddleware",
    "NoStoreMiddleware",
    "SecurityHeadersMiddleware",
    "VaryOnHtmxMiddleware",
]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'"
)
# The API docs page (Swagger UI) loads its own bundled assets and an inline bootstrap.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/v1/docs"):
            policy = DOCS_CSP
        else:
            policy = CSP.replace("style-src 'self'", f"style-src 'self' {stylesheet_hash()}")
        response.headers.setdefault("Content-Security-Policy", policy)
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
