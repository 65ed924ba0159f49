"""Accounts: users are Django's own `auth.User` (the email is the username); what they own lives here."""
