"""Start the local test provider (serve.py) as a process on a free port, and stop it."""
from __future__ import annotations

import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BACKEND_DIR = Path(__file__).resolve().parents[3]


@dataclass
class ProviderUser:
    email: str
    password: str = field(repr=False)


@dataclass
class OidcTestProvider:
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    user: ProviderUser = None  # email_verified true
    unverified_user: ProviderUser = None  # email_verified false
    process: subprocess.Popen = field(default=None, repr=False)
    data_dir: tempfile.TemporaryDirectory = field(default=None, repr=False)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.data_dir.cleanup()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def oidc_test_provider_start(*, redirect_uris: list[str], timeout_s: float = 60) -> OidcTestProvider:
    """A provider process with one confidential client (RS256, PKCE accepted) allowed to redirect to
    `redirect_uris`, a user whose email is verified and one whose email is not."""
    port = _free_port()
    data_dir = tempfile.TemporaryDirectory(prefix="oidc-provider-")
    provider = OidcTestProvider(
        issuer=f"http://127.0.0.1:{port}/openid",
        client_id=f"scanner-{secrets.token_hex(4)}",
        client_secret=secrets.token_urlsafe(24),
        user=ProviderUser("oidc.user@example.com", secrets.token_urlsafe(12)),
        unverified_user=ProviderUser("unverified.user@example.com", secrets.token_urlsafe(12)),
        data_dir=data_dir,
    )
    command = [
        sys.executable, "-m", "accounts.tests.oidc_provider.serve", "--port", str(port),
        "--data-dir", data_dir.name, "--client-id", provider.client_id,
        f"--client-secret={provider.client_secret}",  # joined: a secret may start with "-"
        "--user", f"{provider.user.email}:{provider.user.password}",
        "--unverified-user", f"{provider.unverified_user.email}:{provider.unverified_user.password}",
    ]
    for uri in redirect_uris:
        command += ["--redirect-uri", uri]
    log_path = Path(data_dir.name) / "provider.log"
    with open(log_path, "wb") as log:
        provider.process = subprocess.Popen(command, cwd=BACKEND_DIR, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"{provider.issuer}/.well-known/openid-configuration", timeout=5):
                return provider
        except OSError:
            if provider.process.poll() is not None or time.monotonic() > deadline:
                output = log_path.read_text(errors="replace")[-2000:]
                provider.stop()
                raise RuntimeError(f"the OIDC test provider did not start (exit code {provider.process.poll()}):\n{output}") from None
            time.sleep(0.1)
