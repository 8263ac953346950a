"""Accounts for people: sign in (password, then the second factor for every role but
`member`), enrol an authenticator app, backup codes, one's sessions, change one's password,
reset it by e-mail, the signed-out page; an administrator's list of sign-in lockouts. Passwords
go through accounts.services.user_set_password (validators, audit), the second factor through
accounts.twofactor, sessions through accounts.sessions."""

from base64 import b32encode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from dangvu.accounts.services import user_set_password
from dangvu.accounts.sessions import (
    IDLE_NOTICE_KEY,
    session_renamed,
    session_started,
    sessions_end,
    sessions_of,
)
from dangvu.accounts.signin import lockout_lift, lockouts_now, may_lift_lockouts
from dangvu.accounts.twofactor import (
    backup_codes_issue,
    backup_codes_left,
    has_second_factor,
    needs_second_factor,
    qr_data_uri,
    second_factor_verify,
    session_verified,
    totp_confirm,
    totp_device,
    totp_start,
)
from dangvu.core.errors import ValidationError, field_errors
from dangvu.core.forms import add_service_errors as apply_errors

__all__ = [
    "PasswordChange",
    "PasswordResetConfirm",
    "SignIn",
    "backup_codes_new",
    "lockouts",
    "security",
    "signed_out",
    "two_factor",
    "two_factor_setup",
]


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
        old_key = self.request.session.session_key
        update_session_auth_hash(self.request, form.user)
        session_renamed(self.request, old_key)
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


# --- signing in with two factors --------------------------------------------------------------


def _next(request, default: str = "") -> str:
    """Where to go after the sign-in: the `next` the person came with, when it is ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default or resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, target: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': target})}"


@method_decorator(login_not_required, name="dispatch")
class SignIn(auth_views.LoginView):
    """The password; then, for every role but `member`, the second factor's page."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["idle_minutes"] = self.request.session.pop(IDLE_NOTICE_KEY, None)
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        session_started(self.request)
        if needs_second_factor(self.request.user):
            return redirect(_with_next("two_factor", self.get_success_url()))
        return response


class _TokenForm(forms.Form):
    token = forms.CharField(
        label=_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


def two_factor(request):
    """The second step of the sign-in: a code from the authenticator app or a backup code.
    Someone with no factor yet is sent to enrol one."""
    target = _next(request)
    if session_verified(request):
        return redirect(target)
    if not has_second_factor(request.user):
        return redirect(_with_next("two_factor_setup", target))
    form = _TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            second_factor_verify(request=request, token=form.cleaned_data["token"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect(target)
    return render(request, "accounts/two_factor.html", {"form": form, "next": target})


def two_factor_setup(request):
    """Enrol an authenticator app: the QR code (and the key as text, to type in), then its
    first code; the backup codes are shown once. Only for someone with no factor yet, or who
    gave theirs in this session (a new phone): the password alone never replaces a factor."""
    target = _next(request)
    user = request.user
    if has_second_factor(user) and not request.user.is_verified():
        return redirect(_with_next("two_factor", target))
    form = _TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = totp_confirm(request=request, token=form.cleaned_data["token"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _show_codes_once(request, codes, target)
    device = totp_start(user=user)
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "next": target,
            "qr": qr_data_uri(device.config_url),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )


NEW_CODES_KEY = "_dangvu_new_backup_codes"


def _show_codes_once(request, codes: list[str], then: str):
    """After the POST that issued them, the codes are shown by a GET (a reload re-issues
    nothing), once: the session holds them until that page is read."""
    request.session[NEW_CODES_KEY] = {"codes": codes, "next": then}
    return redirect("backup_codes_new")


def backup_codes_new(request):
    """POST: a new set of backup codes (the old ones stop working), only in a session that
    gave its second factor (never from the password alone); GET: the codes just issued, shown
    once."""
    if request.method == "POST":
        if not request.user.is_verified():
            raise PermissionDenied
        codes = backup_codes_issue(actor=request.user, user=request.user)
        return _show_codes_once(request, codes, reverse("security"))
    issued = request.session.pop(NEW_CODES_KEY, None)
    if not issued:
        return redirect("security")
    return render(request, "accounts/backup_codes.html", issued)


# --- one's sign-in security: second factor, sessions ---------------------------------------


def security(request):
    """The person's own sign-in security: password, second factor, backup codes left, the
    browsers signed in (ending the others, or all)."""
    user = request.user
    if request.method == "POST":
        which = request.POST.get("end")
        if which in ("others", "all"):
            keep = request.session.session_key if which == "others" else None
            ended = sessions_end(actor=user, user=user, keep=keep)
            if which == "all":
                logout(request)
                return redirect("signed_out")
            messages.success(
                request,
                ngettext(
                    "%(n)d other session signed out.", "%(n)d other sessions signed out.", ended
                )
                % {"n": ended},
            )
        return redirect("security")
    return render(
        request,
        "accounts/security.html",
        {
            "needs_factor": needs_second_factor(user),
            "authenticator": totp_device(user),
            "codes_left": backup_codes_left(user),
            "sessions": sessions_of(user),
            "current": request.session.session_key,
            "may_lift_lockouts": may_lift_lockouts(user),
        },
    )


# --- an administrator's list of sign-in lockouts ------------------------------------------


def lockouts(request):
    """Who is locked out of signing in now (a user name from an address, or an address trying
    many names), and recent failures; an administrator lifts a lockout."""
    if not may_lift_lockouts(request.user):
        raise Http404
    if request.method == "POST":
        try:
            lifted = lockout_lift(actor=request.user, attempt_id=request.POST.get("attempt"))
        except ValidationError as exc:
            messages.error(request, " ".join(sum(field_errors(exc).values(), [])))
        else:
            messages.success(
                request, _("Lockout lifted: %(who)s can sign in again.") % {"who": lifted}
            )
        return redirect("lockouts")
    return render(
        request,
        "accounts/lockouts.html",
        {
            "attempts": lockouts_now(),
            "minutes": round(settings.AXES_COOLOFF_TIME * 60),
            "user_limit": settings.AXES_FAILURE_LIMIT,
            "address_limit": settings.DANGVU_LOGIN_ADDRESS_FAILURE_LIMIT,
        },
    )
