"""The backtest core imports neither Django nor anything that talks to the network."""

from __future__ import annotations

from common.testing import impure_imports, modules_loaded_by

PURE_MODULES = [
    "backtest.fills", "backtest.portfolio", "backtest.scanner", "backtest.signal_trades", "backtest.reports",
    "backtest.strategy", "backtest.walk_forward", "backtest.compiled",
    "backtest.compiled_arrays", "backtest.compiled_step", "backtest.compiled_ledger",
]  # fmt: skip


def test_pure_modules_import_no_django_and_no_network():
    assert impure_imports(*PURE_MODULES) == []
    assert "pandas" in modules_loaded_by(*PURE_MODULES)
