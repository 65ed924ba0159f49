"""Accounts: users are Django's own `auth.User` (the email is the username); what they own lives here."""
from django.contrib.auth.models import User
from simple_history import register

# Who changed which user, and when (admin "History"). The password hash is left out: a table of old
# hashes is one more thing to leak; a password change still leaves a row with its reason.
# last_login is left out as well, and saves of last_login alone make no row (see apps.py).
register(User, app="accounts", excluded_fields=["password", "last_login"])
