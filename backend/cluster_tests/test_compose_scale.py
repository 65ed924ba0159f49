"""docker-compose.yml as a file (no Docker engine here): `--scale web=N worker=N stream=N
signals=N strategies=N` is possible (no fixed host port, no container name), nginx finds every
Daphne replica, the stream, live signal and strategy engine replicas each share one shard count, and each service runs what the Procfile runs under `make run`."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVICES = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
PROCFILE = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines()
                if line and not line.startswith("#"))
SCALED = ("web", "worker", "stream", "signals", "strategies")
# compose service -> Procfile process running the same program
SAME_AS = {"backend": "web", "web": "web", "worker": "worker", "beat": "beat", "flower": "flower",
           "sandbox": "sandbox", "stream": "stream", "signals": "signals", "trading": "trading",
           "strategies": "strategies"}


def _argv(command) -> list[str]:
    """A compose command as words; of a `sh -c` script, the program it execs or its last && step."""
    words = list(command) if isinstance(command, list) else shlex.split(command)
    if words[:2] == ["sh", "-c"]:
        script = words[2]
        words = shlex.split(script.rsplit("exec ", 1)[1] if "exec " in script else script.split("&&")[-1])
    return [w for w in words if w != "exec"]


def _procfile_argv(name: str) -> list[str]:
    words = [w for w in shlex.split(PROCFILE[name].split("&&", 1)[1]) if w != "exec"]
    if words[0] == "../scripts/respawn.sh":  # `make run`'s stand-in for compose's restart policy
        words = words[2:]
    return [w.replace("../.venv/bin/", "") for w in words]


def _essence(words: list[str]) -> tuple:
    """What must agree: the program, its subcommand or app, the worker's queues."""
    if "manage.py" in words:
        return ("manage.py", words[words.index("manage.py") + 1])
    if words[0] == "python" and words[1] == "-m":
        return ("python -m", words[2])
    if words[0] == "celery":
        sub = next(w for w in words[3:] if not w.startswith("-"))
        queues = words[words.index("-Q") + 1] if "-Q" in words else None
        return ("celery", sub, queues)
    if words[0] == "daphne":
        return ("daphne", words[-1])
    raise AssertionError(f"unknown program: {words}")


def test_scaled_services_publish_no_host_port_and_have_no_fixed_name():
    for name in SCALED:
        assert name in SERVICES, name
        assert "ports" not in SERVICES[name] and "container_name" not in SERVICES[name], name


def test_every_daphne_is_behind_the_frontend_nginx():
    for name in ("backend", "web"):
        assert SERVICES[name]["networks"]["default"]["aliases"] == ["daphne"], name
        assert SERVICES[name]["expose"] == ["8000"]
    assert SERVICES["web"]["depends_on"] == {"backend": {"condition": "service_healthy"}}  # migrated first
    assert "migrate" not in " ".join(SERVICES["web"]["command"])  # replicas never migrate concurrently
    mount = "./deploy/nginx/compose.conf:/etc/nginx/conf.d/default.conf:ro"
    assert mount in SERVICES["frontend"]["volumes"]
    conf = (ROOT / "deploy" / "nginx" / "compose.conf").read_text()
    assert "resolver 127.0.0.11" in conf and "set $daphne daphne:8000;" in conf
    assert conf.count("proxy_pass http://$daphne;") == 2  # /api|admin|static and /ws/
    assert re.search(r"location /ws/ \{[^}]*Upgrade \$http_upgrade", conf)


def test_stream_and_strategy_engine_replicas_share_one_shard_count():
    for service in ("stream", "signals", "strategies"):  # one service each: two would run two shard counts
        command = SERVICES[service]["command"]
        assert int(command[command.index("--shards") + 1]) >= 2, service
    assert "market" not in SERVICES


def test_worker_replicas_have_distinct_names():
    command = SERVICES["worker"]["command"]
    assert command[command.index("-n") + 1].endswith("@%h")  # %h: each container's own hostname


def test_each_service_runs_what_the_procfile_runs():
    for service, process in SAME_AS.items():
        assert _essence(_argv(SERVICES[service]["command"])) == _essence(_procfile_argv(process)), service
        if "respawn.sh" in PROCFILE[process]:  # started again after an error in both
            assert SERVICES[service]["restart"] == "unless-stopped", service
    assert set(PROCFILE) == set(SAME_AS.values())  # a process added to one is added to the other
    assert set(SERVICES) == set(SAME_AS) | {"postgres", "redis", "frontend"}
