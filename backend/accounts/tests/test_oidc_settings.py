"""OIDC_* settings: no provider unless an issuer is set, and a half-set provider fails at start-up."""
import pytest

from config import env

OIDC_VARS = ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_CLIENT_SECRET_FILE", "OIDC_PROVIDER_NAME")


@pytest.fixture(autouse=True)
def no_oidc_env(monkeypatch):
    for name in OIDC_VARS:
        monkeypatch.delenv(name, raising=False)


def test_no_issuer_means_no_provider(monkeypatch):
    monkeypatch.setenv("OIDC_CLIENT_ID", "ignored without an issuer")
    assert env.read_oidc_env() is None


def test_a_full_provider_and_its_secret_kept_out_of_repr(monkeypatch):
    monkeypatch.setenv("OIDC_ISSUER", "https://id.example.com/realms/main")
    monkeypatch.setenv("OIDC_CLIENT_ID", "scanner")
    monkeypatch.setenv("OIDC_CLIENT_SECRET", "s3cret-value")
    monkeypatch.setenv("OIDC_PROVIDER_NAME", "Example ID")
    config = env.read_oidc_env()
    assert (config.issuer, config.client_id, config.client_secret, config.provider_name) == (
        "https://id.example.com/realms/main", "scanner", "s3cret-value", "Example ID"
    )
    assert "s3cret-value" not in repr(config)


def test_the_secret_from_a_file_and_the_default_name(monkeypatch, tmp_path):
    secret_file = tmp_path / "oidc-secret"
    secret_file.write_text("from-a-file\n")
    monkeypatch.setenv("OIDC_ISSUER", "https://id.example.com")
    monkeypatch.setenv("OIDC_CLIENT_ID", "scanner")
    monkeypatch.setenv("OIDC_CLIENT_SECRET_FILE", str(secret_file))
    config = env.read_oidc_env()
    assert config.client_secret == "from-a-file"
    assert config.provider_name == "OpenID Connect"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"OIDC_ISSUER": "id.example.com", "OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s"}, "must be an https://"),
        ({"OIDC_ISSUER": "https://id.example.com", "OIDC_CLIENT_SECRET": "s"}, "OIDC_CLIENT_ID and OIDC_CLIENT_SECRET"),
        ({"OIDC_ISSUER": "https://id.example.com", "OIDC_CLIENT_ID": "c"}, "OIDC_CLIENT_ID and OIDC_CLIENT_SECRET"),
        ({"OIDC_ISSUER": "https://id.example.com", "OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET_FILE": "/nonexistent/x"},
         "OIDC_CLIENT_SECRET_FILE cannot be read"),
        ({"OIDC_ISSUER": "https://id.example.com", "OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s",
          "OIDC_CLIENT_SECRET_FILE": "/etc/hostname"}, "not both"),
    ],
)
def test_a_half_set_provider_is_refused(monkeypatch, values, message):
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(env.EnvError, match=message):
        env.read_oidc_env()
