"""Trading's place in the platform's processes: its settings, its Celery queue and who consumes it,
its Beat entry, and the `trading` process in every way the platform is started."""
import re
from pathlib import Path

import pytest
import yaml

from config import env

ROOT = Path(__file__).resolve().parents[3]


def test_trading_settings_defaults(monkeypatch):
    for name in ("TRADING_RECV_WINDOW_MS", "TRADING_DEADMAN_COUNTDOWN_S", "TRADING_DEADMAN_RENEW_S",
                 "TRADING_ACCOUNTS_POLL_S"):
        monkeypatch.delenv(name, raising=False)
    assert env.read_trading_env() == env.TradingEnv(recv_window_ms=5000, deadman_countdown_s=60, deadman_renew_s=20,
                                                    accounts_poll_s=10)


@pytest.mark.parametrize("values, message", [
    ({"TRADING_RECV_WINDOW_MS": "60001"}, "TRADING_RECV_WINDOW_MS must be <= 60000"),
    ({"TRADING_RECV_WINDOW_MS": "soon"}, "TRADING_RECV_WINDOW_MS must be an integer"),
    ({"TRADING_DEADMAN_COUNTDOWN_S": "30", "TRADING_DEADMAN_RENEW_S": "15"}, "under half"),
    ({"TRADING_DEADMAN_RENEW_S": "0"}, "TRADING_DEADMAN_RENEW_S must be >= 1"),
])
def test_bad_trading_settings_stop_start_up(monkeypatch, values, message):
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(env.EnvError, match=message):
        env.read_trading_env()


def test_dead_man_switch_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("TRADING_DEADMAN_COUNTDOWN_S", "0")
    assert env.read_trading_env().deadman_countdown_s == 0


def test_trading_tasks_go_to_the_trading_queue_which_the_workers_consume():
    from config.celery import app

    for task in ("trading.order_send", "trading.reconcile_all", "trading.kill_switch"):
        assert app.amqp.router.route({}, task)["queue"].name == "trading", task
    procfile_worker = re.search(r"^worker: .* -Q (\S+)", (ROOT / "Procfile").read_text(), re.M).group(1)
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    compose_worker = compose["worker"]["command"][compose["worker"]["command"].index("-Q") + 1]
    test_worker = re.search(r'"-Q", "([^"]+)"', (ROOT / "backend" / "conftest.py").read_text()).group(1)
    product = {"scanner", "notifications", "maintenance", "trading", "backtests"}
    for queues in (procfile_worker, compose_worker):
        assert set(queues.split(",")) == product, queues
    # The suite's shared worker leaves `backtests` to the backtest tests' worker of their own.
    assert set(test_worker.split(",")) == product - {"backtests"}, test_worker


def test_the_trading_process_is_started_by_make_run_and_docker_compose():
    procfile = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines()
                    if line and not line.startswith("#"))
    assert procfile["trading"].endswith("manage.py run_trading")
    processes = re.search(r"^PROCESSES=\(([^)]*)\)", (ROOT / "scripts" / "run.sh").read_text(), re.M).group(1)
    assert "trading" in processes.split()
    trading = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["trading"]
    assert trading["command"] == ["python", "manage.py", "run_trading"]
    assert set(trading["depends_on"]) == {"backend", "sandbox"}


@pytest.mark.django_db
def test_beat_reconciles_every_account_every_minute():
    from django_celery_beat.models import PeriodicTask

    entry = PeriodicTask.objects.get(task="trading.reconcile_all")
    assert (entry.enabled, entry.interval.every, entry.interval.period) == (True, 60, "seconds")
    assert 0 < entry.expire_seconds < 60
