import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangvu.settings")
application = get_wsgi_application()

# Import every view and the API now, when a server worker starts, not on its first request:
# that request cost ~270 ms more than the next ones (a search's p95 over HTTP caught it).
from django.urls import get_resolver  # noqa: E402

_ = get_resolver().url_patterns
