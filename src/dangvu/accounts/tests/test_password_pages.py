"""Accounts for people: change one's password, reset it by e-mail, the signed-out page."""

import re

from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from dangvu.audit.models import AuditRecord

OLD = "mật-khẩu-cũ-2024"
NEW = "mật-khẩu-mới-2026"


def _user(username="pw_user", email="pw@example.vn"):
    from dangvu.accounts.services import user_create

    user, _password = user_create(actor=None, username=username, password=OLD, full_name="Lê Văn A")
    user.email = email
    user.save(update_fields=["email"])
    return user


def test_change_the_password_with_the_old_one_and_the_rules(db):
    user = _user()
    client = Client()
    client.force_login(user)
    page = client.post(
        "/accounts/password/",
        {"old_password": "sai", "new_password1": NEW, "new_password2": NEW},
    ).content.decode()
    assert "errorlist" in page and "Mật khẩu cũ" in page
    page = client.post(
        "/accounts/password/",
        {"old_password": OLD, "new_password1": "12345", "new_password2": "12345"},
    ).content.decode()
    assert "errorlist" in page
    user.refresh_from_db()
    assert user.check_password(OLD)
    response = client.post(
        "/accounts/password/",
        {"old_password": OLD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert AuditRecord.objects.filter(action="user.set_password", object_id=str(user.pk)).exists()
    assert client.get("/").status_code == 200  # still signed in here


def test_reset_by_e_mail_works_once_and_says_nothing_of_unknown_addresses(db):
    user = _user()
    client = Client()
    for address in ("nobody@example.vn", "pw@example.vn"):
        response = client.post("/accounts/password/reset/", {"email": address})
        assert response.status_code == 302 and response.url == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["pw@example.vn"]
    link = re.search(r"(/accounts/password/reset/[^/]+/[^/\s]+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert 'name="new_password1"' in form.content.decode()
    url = form.redirect_chain[-1][0] if form.redirect_chain else link
    done = client.post(url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
    again = client.get(link, follow=True).content.decode()
    assert 'name="new_password1"' not in again  # used once


def test_signing_out_says_so(db):
    user = _user()
    client = Client()
    client.force_login(user)
    response = client.post("/accounts/logout/", follow=True)
    text = response.content.decode()
    assert response.redirect_chain[-1][0] == "/accounts/signed-out/"
    assert "Bạn đã đăng xuất" in text and "/accounts/login/" in text
    assert get_user_model().objects.filter(pk=user.pk).exists()
