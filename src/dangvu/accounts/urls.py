from django.contrib.auth import views as auth_views
from django.urls import path

from dangvu.accounts import views

urlpatterns = [
    path("accounts/login/", views.SignIn.as_view(), name="login"),
    path("accounts/two-factor/", views.two_factor, name="two_factor"),
    path("accounts/two-factor/set-up/", views.two_factor_setup, name="two_factor_setup"),
    path("accounts/security/backup-codes/", views.backup_codes_new, name="backup_codes_new"),
    path("accounts/security/", views.security, name="security"),
    path("accounts/lockouts/", views.lockouts, name="lockouts"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signed-out/", views.signed_out, name="signed_out"),
    path("accounts/password/", views.PasswordChange.as_view(), name="password_change"),
    path("accounts/password/reset/", views.PasswordReset.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        views.PasswordResetDone.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        views.PasswordResetComplete.as_view(),
        name="password_reset_complete",
    ),
]
