"""`/api/auth/...` and `/api/exchange-accounts/...`: each feature adds its routes here."""
from django.urls import path

from accounts.api import auth, auth_password, oidc
from accounts.api import exchange_accounts

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

# OpenID Connect sign-in (Part C)
urlpatterns += [
    path("auth/providers/", oidc.ProvidersView.as_view(), name="auth-providers"),
    path("auth/oidc/login/", oidc.OidcLoginView.as_view(), name="auth-oidc-login"),
    path("auth/oidc/callback/", oidc.OidcCallbackView.as_view(), name="auth-oidc-callback"),
    path("auth/oidc/exchange/", oidc.OidcExchangeView.as_view(), name="auth-oidc-exchange"),
]

# Exchange accounts (Part B)
urlpatterns += [
    path("exchange-accounts/", exchange_accounts.ExchangeAccountListApi.as_view(), name="exchange-accounts"),
    path("exchange-accounts/<int:account_id>/", exchange_accounts.ExchangeAccountDetailApi.as_view(),
         name="exchange-account"),
    path("exchange-accounts/<int:account_id>/verify/", exchange_accounts.ExchangeAccountVerifyApi.as_view(),
         name="exchange-account-verify"),
    path("exchange-accounts/<int:account_id>/balance/", exchange_accounts.ExchangeAccountBalanceApi.as_view(),
         name="exchange-account-balance"),
]
