"""USD-M trading for the sandbox exchange: signed endpoints, paper fills, user data streams.

`setup_trading(app)` is called by `sandbox.app.create_app` once `app["market"]` and `app["config"]`
exist. It adds the /fapi/v1, /fapi/v2 and /fapi/v3 trading routes, registers their IP weights,
hooks the engine to the market's tick listener and sets `app["user_streams"]` (listen keys for the
`/ws/<listenKey>` handler). See backend/sandbox/TRADING.md for what is covered and what is not.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web

from ..keys import KeyStore, keys_file_from_config
from .engine import Engine, TradingSettings
from .countdown import CHECK_SECONDS, Countdowns
from .edge import COUNTDOWNS, ENGINE, KEYS, ORDER_COUNTS, OrderCounter
from .routes import ROUTES
from .user_stream import UserStreams

log = logging.getLogger(__name__)
_EXPIRY_TASK = web.AppKey("trading_expiry_task", asyncio.Task)
_COUNTDOWN_TASK = web.AppKey("trading_countdown_task", asyncio.Task)

__all__ = ["setup_trading", "trading_engine", "key_store", "countdowns", "Engine", "TradingSettings"]


def _register_weights() -> None:
    from ..weights import register_weight

    for method, path, _handler, weight in ROUTES:
        register_weight(method, path, weight)


def setup_trading(app: web.Application) -> None:
    market, config = app["market"], app["config"]
    faults = app.get("faults")
    streams = UserStreams(market.now_ms, heartbeat=float(config.ping_interval),
                          max_lifetime=float(config.ws_cut_seconds), faults=faults)
    if faults is not None:  # ws_drop tears down user-stream sockets as well as the hub's
        hub_drop = faults.on_ws_drop
        faults.on_ws_drop = lambda prefix: (hub_drop(prefix) if hub_drop else 0) + streams.drop(prefix)
    engine = Engine(market, TradingSettings.from_config(config), publish=streams.publish)
    market.add_tick_listener(engine.on_tick)
    app[ENGINE] = engine
    app[KEYS] = KeyStore(keys_file_from_config(config))
    app[ORDER_COUNTS] = OrderCounter()
    app[COUNTDOWNS] = timers = Countdowns()
    app["user_streams"] = streams
    for method, path, handler, _weight in ROUTES:
        app.router.add_route(method, path, handler)
    _register_weights()

    async def start_housekeeping(app: web.Application) -> None:
        async def loop() -> None:
            while True:
                await asyncio.sleep(1.0)
                streams.expire_due()
                engine.expire_due()

        async def countdown_loop() -> None:  # wall clock: see trading/countdown.py
            while True:
                await asyncio.sleep(CHECK_SECONDS)
                try:
                    timers.cancel_due(engine)
                except Exception:  # one bad timer must not stop the others; the traceback is logged
                    log.exception("countdown cancel failed")

        app[_EXPIRY_TASK] = asyncio.create_task(loop())
        app[_COUNTDOWN_TASK] = asyncio.create_task(countdown_loop())

    async def stop_housekeeping(app: web.Application) -> None:
        for key in (_EXPIRY_TASK, _COUNTDOWN_TASK):
            task = app.get(key)
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await streams.shutdown()

    app.on_startup.append(start_housekeeping)
    app.on_shutdown.append(stop_housekeeping)


def trading_engine(app: web.Application) -> Engine:
    return app[ENGINE]


def key_store(app: web.Application) -> KeyStore:
    return app[KEYS]


def countdowns(app: web.Application) -> Countdowns:
    return app[COUNTDOWNS]
