"""Login required everywhere except sign-in, static files and the API (bearer tokens)."""

from django.contrib.auth.middleware import LoginRequiredMiddleware

__all__ = ["DangvuLoginRequiredMiddleware"]

OPEN_PREFIXES = ("/api/", "/static/", "/i18n/")


class DangvuLoginRequiredMiddleware(LoginRequiredMiddleware):
    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(OPEN_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
