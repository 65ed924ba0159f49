"""A real OpenID Connect provider for the sign-in tests: a tiny Django project on django-oidc-provider.

It speaks the whole protocol the platform relies on (discovery, JWKS, RS256 ID tokens, the
authorization code flow with PKCE, a login form and a consent page), in its own process with its
own SQLite database, so the platform's OIDC code is tested against a provider it does not control.
`process.py` starts and stops it; `serve.py` is the process itself (scripts/test.sh starts it too).
"""
