"""No Docker engine runs here, so docker-compose.yml is checked as a file."""
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def _env_example_names() -> set[str]:
    names = set()
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"^([A-Z_][A-Z0-9_]*)=", line)
        if match:
            names.add(match.group(1))
    return names


def test_every_service_has_an_image_or_a_build():
    assert {"postgres", "redis", "backend", "worker", "beat", "flower", "frontend"} <= set(SERVICES)
    for name, service in SERVICES.items():
        assert "image" in service or "build" in service, name
        build = service.get("build")
        if build:
            dockerfile = ROOT / build["context"] / build.get("dockerfile", "Dockerfile")
            if build["context"] == ".":
                dockerfile = ROOT / build["dockerfile"]
            assert dockerfile.is_file(), f"{name}: {dockerfile} is missing"


def test_databases_have_health_checks_and_volumes():
    for name in ("postgres", "redis"):
        assert SERVICES[name]["healthcheck"]["test"], name
        assert SERVICES[name]["volumes"], name
    assert SERVICES["postgres"]["image"].startswith("postgres:15")
    assert SERVICES["redis"]["image"].startswith("redis:7")


def test_dependencies_wait_on_healthy_services():
    for name, service in SERVICES.items():
        for dependency, condition in (service.get("depends_on") or {}).items():
            assert condition == {"condition": "service_healthy"}, f"{name} -> {dependency}"
            assert "healthcheck" in SERVICES[dependency], f"{dependency} has no health check"


def test_worker_concurrency_and_flower_port():
    assert "--concurrency=4" in SERVICES["worker"]["command"]
    assert "5555:5555" in SERVICES["flower"]["ports"]


def test_every_variable_used_is_in_env_example():
    text = (ROOT / "docker-compose.yml").read_text()
    used = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", text))
    assert used, "the file reads no variables at all"
    missing = used - _env_example_names()
    assert not missing, f"add to .env.example: {sorted(missing)}"
    for service in SERVICES.values():
        if "env_file" in service:
            assert service["env_file"] == ".env"


def test_every_setting_read_by_the_backend_is_in_env_example():
    # Names passed to every reader of config/env.py and the modules it reads (env_choice,
    # _env_percent and _rate too: BINANCE_ENV, NOTIFICATIONS_MIN_SCORE, MARKET_API_RATE_ANON, ...).
    source = "\n".join(p.read_text() for p in (ROOT / "backend" / "config").glob("env*.py"))
    read = set(re.findall(r'(?:env_(?:str|bool|int|list|choice)|_env_percent|_rate)\("([A-Z_][A-Z0-9_]*)"', source))
    assert {"DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG", "BINANCE_ENV", "NOTIFICATIONS_MIN_SCORE",
            "MARKET_API_RATE_ANON"} <= read
    missing = read - _env_example_names()
    assert not missing, f"add to .env.example: {sorted(missing)}"
