"""Create the demo admin account once, if no superuser exists yet.

Credentials come from DEMO_ADMIN_USERNAME / DEMO_ADMIN_PASSWORD; without a
password one is generated and printed this one time only (it is stored only
as a hash). Later runs print nothing about it.
"""
import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the demo admin account if no superuser exists."

    def handle(self, *args, **options):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            return
        username = os.environ.get("DEMO_ADMIN_USERNAME") or "admin"
        password = os.environ.get("DEMO_ADMIN_PASSWORD")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email=f"{username}@localhost", password=password)
        self.stdout.write(self.style.SUCCESS(f"Created the demo admin account '{username}'."))
        if generated:
            self.stdout.write(
                self.style.WARNING(
                    f"  password: {password}\n"
                    "  (shown once; change it with `make manage ARGS=\"changepassword "
                    f"{username}\"`)"
                )
            )
