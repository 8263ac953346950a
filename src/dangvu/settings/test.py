"""Test settings: fast hashing, the same database choice as production (DATABASE_URL)."""

import tempfile

from dangvu.settings.base import *  # noqa: F403
from dangvu.settings.base import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # pytest-django creates and drops test databases; a pool would hold them open.
    DATABASES["default"]["OPTIONS"]["pool"] = False
WHITENOISE_AUTOREFRESH = True
# Each test's database starts the portal's version over: a page one test cached would be served
# to another. The tests of the cache turn it on (news.tests).
DANGVU_PORTAL_CACHE = False
# Uploaded files of a test run go to a directory of their own, never the data directory.
MEDIA_ROOT = tempfile.mkdtemp(prefix="dangvu-test-files-")
# The tests do not collect static files: their plain names, served from the package.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Background tasks run at once, in the request or command that queues them.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
