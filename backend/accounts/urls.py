"""`/api/auth/...` and `/api/exchange-accounts/...`: each feature adds its routes here."""
from django.urls import path  # noqa: F401
from accounts.api import auth, auth_password

# Sign-up, sign-in and passwords (Part A)
urlpatterns: list = [
    path("auth/register/", auth.RegisterApi.as_view(), name="auth-register"),
    path("auth/login/", auth.LoginApi.as_view(), name="auth-login"),
    path("auth/refresh/", auth.RefreshApi.as_view(), name="auth-refresh"),
    path("auth/logout/", auth.LogoutApi.as_view(), name="auth-logout"),
    path("auth/me/", auth.MeApi.as_view(), name="auth-me"),
    path("auth/password/change/", auth_password.PasswordChangeApi.as_view(), name="auth-password-change"),
    path("auth/password/reset/", auth_password.PasswordResetApi.as_view(), name="auth-password-reset"),
    path("auth/password/reset/confirm/", auth_password.PasswordResetConfirmApi.as_view(),
         name="auth-password-reset-confirm"),
]
