"""Settings of USD-M trading (backend/trading/), read by `config/env.py`."""
from __future__ import annotations

from dataclasses import dataclass

from config.env_parse import EnvError, env_int

# Binance refuses a recvWindow above 60 000 ms (-1131).
RECV_WINDOW_MAX_MS = 60_000


@dataclass(frozen=True)
class TradingEnv:
    """Order sending, the dead-man switch and the trading process (`manage.py run_trading`)."""

    # recvWindow of every signed order request: the exchange refuses a request older than this, so
    # an order whose answer was lost is provably not accepted after timestamp + recv_window + 1 s.
    recv_window_ms: int
    # countdownCancelAll: the exchange cancels a symbol's open orders this long after the trading
    # process last renewed it (0: no dead-man switch); renewed every deadman_renew_s.
    deadman_countdown_s: int
    deadman_renew_s: int
    # How often the trading process looks for exchange accounts added or removed.
    accounts_poll_s: int


def read_trading_env() -> TradingEnv:
    recv_window = env_int("TRADING_RECV_WINDOW_MS", 5000, minimum=1)
    if recv_window > RECV_WINDOW_MAX_MS:
        raise EnvError(f"TRADING_RECV_WINDOW_MS must be <= {RECV_WINDOW_MAX_MS} (Binance's limit), got {recv_window}")
    countdown = env_int("TRADING_DEADMAN_COUNTDOWN_S", 60, minimum=0)
    renew = env_int("TRADING_DEADMAN_RENEW_S", 20, minimum=1)
    # Two renewals may fail before the exchange cancels anything.
    if countdown and renew * 2 >= countdown:
        raise EnvError(f"TRADING_DEADMAN_RENEW_S ({renew}) must be under half of TRADING_DEADMAN_COUNTDOWN_S "
                       f"({countdown}): a renewal or two may fail before the exchange cancels the orders")
    return TradingEnv(
        recv_window_ms=recv_window,
        deadman_countdown_s=countdown,
        deadman_renew_s=renew,
        accounts_poll_s=env_int("TRADING_ACCOUNTS_POLL_S", 10, minimum=1),
    )
