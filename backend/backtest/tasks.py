"""Celery tasks of the backtest app (queue `backtests`): ids in, one service call out."""
from celery import shared_task

from .services import run_execute


@shared_task(name="backtest.run")
def run_backtest(run_id: int) -> None:
    run_execute(run_id)
