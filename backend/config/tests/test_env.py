import pytest

from config import env


def test_env_bool_accepts_only_true_and_false(monkeypatch):
    monkeypatch.setenv("X_FLAG", "true")
    assert env.env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "False")
    assert env.env_bool("X_FLAG", True) is False
    monkeypatch.setenv("X_FLAG", "yes")
    with pytest.raises(env.EnvError, match="X_FLAG must be true or false"):
        env.env_bool("X_FLAG", False)


def test_env_int_rejects_words_and_small_values(monkeypatch):
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(env.EnvError, match="X_NUM must be an integer"):
        env.env_int("X_NUM", 1)
    monkeypatch.setenv("X_NUM", "0")
    with pytest.raises(env.EnvError, match=">= 1"):
        env.env_int("X_NUM", 1, minimum=1)


def test_required_value_missing_fails_loudly(monkeypatch):
    monkeypatch.delenv("X_REQUIRED", raising=False)
    with pytest.raises(env.EnvError, match="X_REQUIRED is required"):
        env.env_str("X_REQUIRED")


def test_database_url_tcp_and_socket():
    tcp = env.parse_database_url("postgres://bob:s%40cret@db.local:6543/scanner")
    assert (tcp["USER"], tcp["PASSWORD"], tcp["HOST"], tcp["PORT"], tcp["NAME"]) == (
        "bob", "s@cret", "db.local", "6543", "scanner"
    )
    sock = env.parse_database_url("postgres://postgres:@/scanner?host=/tmp/pg")
    assert (sock["HOST"], sock["NAME"]) == ("/tmp/pg", "scanner")


@pytest.mark.parametrize(
    "url, message",
    [("mysql://x/y", "must start with postgres"), ("postgres://host:5432/", "must name a database"),
     ("postgres://host:notaport/db", "invalid port")],
)
def test_database_url_errors(url, message):
    with pytest.raises(env.EnvError, match=message):
        env.parse_database_url(url)


def test_redis_url_scheme_checked():
    with pytest.raises(env.EnvError, match="REDIS_URL must start with redis://"):
        env.check_redis_url("REDIS_URL", "http://localhost:6379")


def test_bad_setting_stops_start_up(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "maybe")
    with pytest.raises(env.EnvError, match="DJANGO_DEBUG"):
        env.read_env()
