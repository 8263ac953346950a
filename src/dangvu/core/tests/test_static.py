"""Static files in production: hashed names cached for a year, compressed; pages gzipped."""

import gzip

from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client, override_settings

from dangvu.testing.factories import make_user

PRODUCTION = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "dangvu.core.staticfiles.Storage"},
}


def test_collected_files_have_hashed_names_a_year_of_cache_and_gzip(tmp_path, db):
    with override_settings(STORAGES=PRODUCTION, STATIC_ROOT=tmp_path):
        call_command("collectstatic", interactive=False, verbosity=0)
        url = static("dangvu/app.css")
        assert (
            url.startswith("/static/dangvu/app.") and url.endswith(".css") and url.count(".") == 2
        )
        response = Client().get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert (
            "immutable" in response["Cache-Control"]
            and "max-age=315360000" in response["Cache-Control"]
        )
        assert response["Content-Encoding"] == "gzip"
        body = b"".join(response.streaming_content)
        assert b".topbar" in gzip.decompress(body)


def test_a_file_not_collected_keeps_its_plain_name(tmp_path):
    with override_settings(STORAGES=PRODUCTION, STATIC_ROOT=tmp_path):
        assert static("dangvu/app.css") == "/static/dangvu/app.css"


def test_pages_are_gzipped_when_the_browser_asks(tree):
    client = Client()
    client.force_login(make_user("gz_staff", role="org_staff", org=tree.province))
    response = client.get("/", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert b"<html" in gzip.decompress(response.content)
