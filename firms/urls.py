from django.contrib.auth import views as auth_views
from django.urls import path

from firms import views

app_name = "firms"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("two-factor/", views.two_factor, name="two-factor"),
    path("firm/", views.firm_settings, name="settings"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("password/reset/sent/",
         auth_views.PasswordResetDoneView.as_view(template_name="firms/password_reset_sent.html"),
         name="password-reset-sent"),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password-reset-confirm"),
    path("password/reset/done/",
         auth_views.PasswordResetCompleteView.as_view(template_name="firms/password_reset_done.html"),
         name="password-reset-done"),
]
