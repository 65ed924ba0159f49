"""The claims the test provider asserts about a user."""

# Users in this group have an email address the provider has not verified (email_verified false).
UNVERIFIED_GROUP = "unverified-email"


def userinfo(claims, user):
    claims["email"] = user.email
    claims["email_verified"] = not user.groups.filter(name=UNVERIFIED_GROUP).exists()
    return claims
