from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dangvu.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from dangvu.accounts.selectors import people_named
        from dangvu.audit.display import register_refs

        register_refs("actor", people_named)
