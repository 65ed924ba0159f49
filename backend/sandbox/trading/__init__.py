"""USD-M trading for the sandbox exchange: signed endpoints, paper fills, user data streams.

`setup_trading(app)` is called by `sandbox.app.create_app` once `app["market"]` and `app["config"]`
exist. It adds the /fapi/v1, /fapi/v2 and /fapi/v3 trading routes, registers their IP weights,
hooks the engine to the market's tick listener and sets `app["user_streams"]` (listen keys for the
`/ws/<listenKey>` handler). See backend/sandbox/TRADING.md for what is covered and what is not.
"""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import web

from ..keys import KeyStore, keys_file_from_config
from .engine import Engine, TradingSettings
from .edge import ENGINE, KEYS, ORDER_COUNTS, OrderCounter
from .routes import ROUTES
from .user_stream import UserStreams

_EXPIRY_TASK = web.AppKey("trading_expiry_task", asyncio.Task)

__all__ = ["setup_trading", "trading_engine", "key_store", "Engine", "TradingSettings"]


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

        app[_EXPIRY_TASK] = asyncio.create_task(loop())

    async def stop_housekeeping(app: web.Application) -> None:
        task = app.get(_EXPIRY_TASK)
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
