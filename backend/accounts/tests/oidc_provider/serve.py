"""Run the local test provider: set up its database, client and users, then serve HTTP until killed.

    python -m accounts.tests.oidc_provider.serve --port 9000 --data-dir /tmp/provider \\
        --client-id platform --client-secret s3cret \\
        --redirect-uri http://127.0.0.1:8000/api/auth/oidc/callback/ \\
        --user alice@example.com:password [--unverified-user bob@example.com:password]

Run from backend/. The issuer is http://127.0.0.1:<port>/openid; SIGTERM stops it.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path


def _credentials(value: str) -> tuple[str, str]:
    email, sep, password = value.partition(":")
    if not sep or not email or not password:
        raise argparse.ArgumentTypeError("expected EMAIL:PASSWORD")
    return email, password


def _parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--redirect-uri", action="append", required=True)
    parser.add_argument("--user", type=_credentials, action="append", default=[])
    parser.add_argument("--unverified-user", type=_credentials, action="append", default=[])
    return parser.parse_args(argv)


def _set_up(args: argparse.Namespace) -> None:
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from oidc_provider.models import Client, ResponseType, RSAKey

    from accounts.tests.oidc_provider.claims import UNVERIFIED_GROUP

    call_command("migrate", verbosity=0)
    if not RSAKey.objects.exists():
        call_command("creatersakey", stdout=open(os.devnull, "w"))
    client, _ = Client.objects.update_or_create(
        client_id=args.client_id,
        defaults={
            "name": "Binance Signal Scanner",
            "client_type": "confidential",
            "client_secret": args.client_secret,
            "jwt_alg": "RS256",
            "_redirect_uris": "\n".join(args.redirect_uri),
            "require_consent": True,
            "reuse_consent": False,  # ask every time: each test sees the same pages
        },
    )
    client.response_types.set(ResponseType.objects.filter(value="code"))
    unverified = Group.objects.get_or_create(name=UNVERIFIED_GROUP)[0]
    for (email, password), is_verified in [(u, True) for u in args.user] + [(u, False) for u in args.unverified_user]:
        user, _ = User.objects.get_or_create(username=email, defaults={"email": email})
        user.email = email
        user.set_password(password)
        user.save()
        if is_verified:
            user.groups.remove(unverified)
        else:
            user.groups.add(unverified)


def main(argv: list[str] | None = None) -> None:
    args = _parse_args(argv)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "accounts.tests.oidc_provider.settings"
    os.environ["OIDC_TEST_PROVIDER_DIR"] = str(args.data_dir)
    os.environ["OIDC_TEST_PROVIDER_URL"] = f"http://127.0.0.1:{args.port}"

    import django

    django.setup()
    _set_up(args)

    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application

    run("127.0.0.1", args.port, get_wsgi_application(), threading=True)


if __name__ == "__main__":
    main()
