"""Serving personal data safely, as configured from the environment (settings.env → settings.base):
HSTS and the redirect to HTTPS, `Cache-Control: no-store` on what carries personal data, and a
data directory and SQLite file readable by their owner only.

The environment is read when the settings are imported, so each configuration runs in a fresh
interpreter with the production settings (dangvu.settings) and a fresh data directory.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

import dangvu
from dangvu.testing.factories import ApiClient, make_member

NO_STORE = "max-age=0, no-cache, no-store, must-revalidate, private"

# Run by `python -c` in a fresh interpreter: requests through Django's test client (no server),
# then what the settings and the data directory look like. Nothing here needs the database
# tables: the sign-in page is served without them.
PROBE = r"""
import json, os, stat, sys
import django
django.setup()
from django.conf import settings
from django.db import connection
from django.test import Client, RequestFactory
from dangvu.accounts.signin import client_ip

def answer(response):
    return [response.status_code, response.headers.get("Location"),
            response.headers.get("Strict-Transport-Security")]

client = Client()
data = settings.DATA_DIR
result = {
    "https": answer(client.get("/accounts/login/", secure=True)),
    "http": answer(client.get("/accounts/login/")),
    "proxy_https": answer(client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")),
    "proxy_http": answer(client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="http")),
    "client_ip": client_ip(RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.10")),
}
# SQLite creates its -wal and -shm files on the first write, with the database file's mode.
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE probe (x integer)")
    cursor.execute("INSERT INTO probe VALUES (1)")
result["modes"] = {
    p.name: oct(stat.S_IMODE(p.stat().st_mode))
    for p in [data, *sorted(data.iterdir())] if p.name != "static"
}
print(json.dumps(result))
"""


def _probe(tmp_path: Path, **env: str) -> dict:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DANGVU_", "DATABASE_URL", "DJANGO_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="dangvu.settings",
        DANGVU_DATA_DIR=str(tmp_path / "new" / "data"),
        DANGVU_ALLOWED_HOSTS="testserver",
        # The package under test, wherever it is imported from.
        PYTHONPATH=os.pathsep.join(
            [str(Path(dangvu.__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")]
        ),
        **env,
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


# --- HTTPS ------------------------------------------------------------------------------------


def test_the_production_settings_pass_django_s_deployment_checks(tmp_path):
    """README's deployment (HTTPS behind the proxy, a secret key of its own): `dangvu check
    --deploy` finds nothing, not even a warning."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DANGVU_", "DATABASE_URL", "DJANGO_"))
    }
    environment.update(
        DANGVU_DATA_DIR=str(tmp_path / "data"),
        DANGVU_SECURE_COOKIES="1",
        DANGVU_BEHIND_PROXY="1",
        DANGVU_ALLOWED_HOSTS="dangvu.example.vn",
        DANGVU_SECRET_KEY="k" + "x9Q-" * 20,
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "dangvu",
            "check",
            "--deploy",
            "--system-only",
            "--fail-level",
            "WARNING",
        ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


YEAR = "max-age=31536000; includeSubDomains; preload"


def test_behind_the_https_proxy_hsts_and_http_is_redirected(tmp_path):
    # README's deployment: DANGVU_SECURE_COOKIES=1 and DANGVU_BEHIND_PROXY=1.
    result = _probe(tmp_path, DANGVU_SECURE_COOKIES="1", DANGVU_BEHIND_PROXY="1")
    assert result["proxy_https"] == [200, None, YEAR]
    assert result["proxy_http"] == [301, "https://testserver/accounts/login/", None]
    assert result["client_ip"] == "203.0.113.10"


def test_secure_cookies_without_the_proxy_hsts_over_https_and_no_redirect_loop(tmp_path):
    result = _probe(tmp_path, DANGVU_SECURE_COOKIES="1")
    assert result["https"] == [200, None, YEAR]
    # Without the proxy's word every request could look like http: no redirect (it would
    # loop), and no HSTS on a plain-http answer (browsers ignore it there anyway).
    assert result["http"] == [200, None, None]
    # …and the proxy's header counts for nothing.
    assert result["proxy_https"] == [200, None, None]
    assert result["client_ip"] == "127.0.0.1"


def test_by_default_no_hsts(tmp_path):
    result = _probe(tmp_path)
    assert result["https"] == [200, None, None]
    assert result["http"] == [200, None, None]


# --- the data directory -----------------------------------------------------------------------


def test_the_data_directory_the_database_and_the_key_are_the_owners_alone(tmp_path):
    old_umask = os.umask(0o022)  # the usual one: files 0644, directories 0755
    try:
        modes = _probe(tmp_path)["modes"]
    finally:
        os.umask(old_umask)
    assert modes == {
        "data": "0o700",
        "dangvu.sqlite3": "0o600",
        "dangvu.sqlite3-shm": "0o600",
        "dangvu.sqlite3-wal": "0o600",
        "secret_key": "0o600",
    }
    # The parent directories the settings had to create are ordinary ones.
    assert oct((tmp_path / "new").stat().st_mode & 0o777) == "0o755"


def test_an_existing_data_directory_and_database_are_left_as_they_are(tmp_path):
    data = tmp_path / "new" / "data"
    data.mkdir(parents=True, mode=0o750)
    data.chmod(0o750)
    (data / "dangvu.sqlite3").touch(mode=0o640)
    (data / "dangvu.sqlite3").chmod(0o640)
    modes = _probe(tmp_path)["modes"]
    assert (modes["data"], modes["dangvu.sqlite3"], modes["secret_key"]) == (
        "0o750",
        "0o640",
        "0o600",
    )


# --- Cache-Control ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_member_page_is_not_stored(tree, users):
    member = make_member(tree.cell1, full_name="Nguyễn Thị Ánh")
    client = Client()
    client.force_login(users.sec1)
    page = client.get(f"/members/{member.pk}/")
    assert page.status_code == 200 and "Nguyễn Thị Ánh" in page.content.decode()
    assert page["Cache-Control"] == NO_STORE
    # Every page of a signed-in user, whatever the view set.
    assert client.get("/members/")["Cache-Control"] == NO_STORE
    assert client.get("/").headers.get("Cache-Control") == NO_STORE


@pytest.mark.django_db
def test_every_api_answer_is_not_stored(tree, users, api_client):
    member = make_member(tree.cell1)
    answer = api_client(users.sec1).get(f"/members/{member.pk}")
    assert (answer.status_code, answer["Cache-Control"]) == (200, NO_STORE)
    refused = ApiClient(None).get(f"/members/{member.pk}")
    assert (refused.status_code, refused["Cache-Control"]) == (401, NO_STORE)


@pytest.mark.django_db
def test_static_files_keep_their_caching(users):
    # Served by WhiteNoise before the middleware, even to a signed-in user.
    client = Client()
    client.force_login(users.sec1)
    static = client.get("/static/dangvu/app.css")
    assert static.status_code == 200
    assert static["Cache-Control"] == "max-age=60, public"
