"""Celery tasks of the backtest app (queue `backtests`): ids in, one service call out."""
from celery import shared_task

from .services import run_execute, runs_sweep


@shared_task(name="backtest.run")
def run_backtest(run_id: int) -> None:
    run_execute(run_id)


@shared_task(name="backtest.sweep")
def sweep_backtests() -> dict:
    """Beat, every minute, on `maintenance` (not `backtests`: a busy backtest worker must not hold it)."""
    return runs_sweep()
