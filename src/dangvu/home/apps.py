from django.apps import AppConfig


class HomeConfig(AppConfig):
    """UI composition: the signed-in person's home page, built from the apps' selectors (at the
    top of the app order with the API: docs/decisions/0010)."""

    name = "dangvu.home"
    label = "home"
    verbose_name = "Home"
