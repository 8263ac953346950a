"""Accounts for people: change one's password, reset it by e-mail, the signed-out page. The
passwords go through accounts.services.user_set_password (validators, audit)."""

from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _

from dangvu.accounts.services import user_set_password

__all__ = ["PasswordChange", "PasswordResetConfirm", "signed_out"]


class _ThroughService:
    """SetPasswordForm's save, through the service: the validators and the audit record."""

    def save(self, commit=True):
        user_set_password(
            actor=self.actor, user=self.user, password=self.cleaned_data["new_password1"]
        )
        return self.user


class _ChangeForm(_ThroughService, auth_forms.PasswordChangeForm):
    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.actor = user


class _SetForm(_ThroughService, auth_forms.SetPasswordForm):
    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.actor = user


class PasswordChange(auth_views.PasswordChangeView):
    form_class = _ChangeForm
    template_name = "accounts/password_change.html"

    def form_valid(self, form):
        form.save()
        # The service signs the user out of their sessions; this one stays signed in.
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, _("Your password has been changed."))
        return redirect("home")


@method_decorator(login_not_required, name="dispatch")
class PasswordReset(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")


@method_decorator(login_not_required, name="dispatch")
class PasswordResetDone(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


@method_decorator(login_not_required, name="dispatch")
class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """A link that was never issued, was used or has expired: the page says so, as a 404 (the
    link names nothing that exists)."""

    form_class = _SetForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def render_to_response(self, context, **kwargs):
        if not context.get("validlink"):
            kwargs["status"] = 404
        return super().render_to_response(context, **kwargs)


@method_decorator(login_not_required, name="dispatch")
class PasswordResetComplete(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_not_required
def signed_out(request):
    return render(request, "accounts/signed_out.html")
