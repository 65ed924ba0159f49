"""Fixtures for the trading engine's pure tests."""

from __future__ import annotations

import pytest
from trading_harness import Harness


@pytest.fixture
def harness() -> Harness:
    return Harness()
