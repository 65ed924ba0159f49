"""A Celery task really runs on a real worker process, through the Redis broker."""
import pytest
from django_celery_results.models import TaskResult

from health.tasks import system_health_check

pytestmark = pytest.mark.django_db(transaction=True)


def test_task_runs_on_a_real_worker_and_stores_its_result(celery_worker_process):
    result = system_health_check.delay()
    value = result.get(timeout=30)
    assert set(value) == {"database", "redis", "channel_layer", "signals"}
    assert value["signals"]["detail"] == {"active_signals": 0, "symbols": 0}
    assert all(part["ok"] for part in value.values()), value
    stored = TaskResult.objects.get(task_id=result.id)
    assert stored.status == "SUCCESS"
    assert stored.task_name == "health.system_health_check"
    assert stored.worker == celery_worker_process


def test_tasks_are_routed_to_their_queues():
    from config.celery import app

    router = app.amqp.router
    assert router.route({}, "health.system_health_check")["queue"].name == "maintenance"
    assert router.route({}, "signals.scan_binance_market")["queue"].name == "scanner"
    assert router.route({}, "signals.send_signal_notifications")["queue"].name == "notifications"


def test_celery_configuration_matches_the_product():
    from config.celery import app

    conf = app.conf
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    assert (conf.task_soft_time_limit, conf.task_time_limit) == (25 * 60, 30 * 60)
    assert conf.result_expires == 3600
    assert conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
    assert {q.name for q in conf.task_queues} == {"scanner", "notifications", "maintenance", "trading", "backtests"}
