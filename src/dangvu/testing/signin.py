"""Signing in in the tests: `client.force_login(user)` means signed in the whole way (password
AND, for the roles that need it, the second factor); `client.force_login_password_only(user)`
stops after the password, as a person who has not yet given their code.

Installed for the whole suite by src/dangvu/conftest.py. The second factor is a confirmed
django-otp device of the user's, named in the session as django_otp.login would name it; the
session also holds the time of its last request (accounts.sessions), as after a real sign-in.
"""

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from dangvu.accounts.sessions import SEEN_KEY

__all__ = ["install", "pass_second_factor"]

DEVICE_NAME = "test-harness"


def pass_second_factor(client: Client, user) -> None:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=DEVICE_NAME, defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SEEN_KEY] = time.time()
    session.save()


def install() -> None:
    if hasattr(Client, "force_login_password_only"):
        return
    password_only = Client.force_login

    def force_login(self, user, backend=None):
        password_only(self, user, backend)
        pass_second_factor(self, user)

    def force_login_password_only(self, user, backend=None):
        password_only(self, user, backend)
        session = self.session
        session[SEEN_KEY] = time.time()
        session.save()

    Client.force_login = force_login
    Client.force_login_password_only = force_login_password_only
