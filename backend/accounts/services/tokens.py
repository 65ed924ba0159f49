"""The platform's own token pair (simplejwt), whatever signed the user in: password or OIDC."""
from __future__ import annotations

from rest_framework_simplejwt.tokens import RefreshToken


def token_pair_issue(*, user) -> dict[str, str]:
    """A new refresh token (rotating, blacklistable) and its access token for `user`."""
    refresh = RefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}
