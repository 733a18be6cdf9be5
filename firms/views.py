"""Signing in and out, two-factor, passwords. Thin: the rules are in firms.services."""

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from config.errors import ApplicationError
from config.forms import add_service_errors
from firms import services
from firms.access import SESSION_FIRM_KEY
from firms.forms import CodeForm, SignInForm
from firms.selectors import first_membership_of


def _safe_next(request, fallback="home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    return reverse_lazy(fallback)


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def sign_in(request):
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request))
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.auth_check_credentials(request=request, **form.cleaned_data)
        except ApplicationError as error:
            add_service_errors(form, error)
            status = error.status
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            membership = first_membership_of(user)
            if membership:
                request.session[SESSION_FIRM_KEY] = membership.firm_id
            services.auth_record_sign_in(user=user, method="password")
            if membership and membership.firm.require_two_factor:
                return redirect(f"{reverse_lazy('firms:two-factor')}?next={_safe_next(request)}")
            return redirect(_safe_next(request))
    elif request.method == "POST":
        status = 400
    return render(request, "firms/sign_in.html", {"form": form, "next": request.GET.get("next", "")},
                  status=status)


@require_POST
def sign_out(request):
    if request.user.is_authenticated:
        services.auth_record_sign_out(user=request.user)
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("firms:sign-in")


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Check the second factor, or enrol an authenticator app first if the person has none."""
    user = request.user
    if services.two_factor_device(user) is None:
        return _two_factor_enrol(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_check(user=user, code=form.cleaned_data["code"])
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            otp_login(request, device)
            return redirect(_safe_next(request))
    return render(request, "firms/two_factor.html", {"form": form, "next": request.GET.get("next", "")},
                  status=400 if form.errors else 200)


def _two_factor_enrol(request):
    form = CodeForm(request.POST or None)
    # The instructions come first: focusing the code box would skip them for screen readers.
    form.fields["code"].widget.attrs.pop("autofocus", None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_enrolment_confirm(user=request.user, code=form.cleaned_data["code"])
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            otp_login(request, device)
            messages.success(request, _("Two-factor sign-in is set up."))
            return redirect(_safe_next(request))
        device = _pending_device(request.user)
    else:
        device = services.two_factor_enrolment_start(user=request.user)
    return render(request, "firms/two_factor_enrol.html", {
        "form": form, "qr_svg": _qr_svg(device.config_url), "secret": _base32(device),
        "next": request.GET.get("next", ""),
    }, status=400 if form.errors else 200)


def _pending_device(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=False).first() or \
        services.two_factor_enrolment_start(user=user)


def _base32(device) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "firms/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.auth_record_password_event(user=self.request.user, action="auth.password_changed")
        messages.success(self.request, _("Your password has been changed."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "firms/password_reset.html"
    email_template_name = "firms/email/password_reset.txt"
    subject_template_name = "firms/email/password_reset_subject.txt"
    success_url = reverse_lazy("firms:password-reset-sent")

    def form_valid(self, form):
        response = super().form_valid(form)
        # The page says the same whether or not the address is known; the log knows.
        for user in form.get_users(form.cleaned_data["email"]):
            services.auth_record_password_event(user=user, action="auth.password_reset_requested")
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "firms/password_reset_confirm.html"
    success_url = reverse_lazy("firms:password-reset-done")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.auth_record_password_event(user=form.user, action="auth.password_reset")
        return response


@login_required
@require_http_methods(["GET", "POST"])
def firm_settings(request):
    membership = request.membership
    if membership is None or membership.role not in {"admin", "partner"}:
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.firm_settings_update(
                firm=membership.firm, by=membership,
                require_two_factor=request.POST.get("require_two_factor") == "on")
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The firm's settings are saved."))
            return redirect("firms:settings")
    return render(request, "firms/settings.html", {"firm": membership.firm})
