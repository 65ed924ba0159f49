"""Application factory: ``create_app(config)`` wires market, limits, faults, routes and streams.

Python API for tests (all on the app object):
    app["config"]    SandboxConfig              app["market"]   Market (clock: app["market"].clock)
    app["faults"]    FaultInjector (.add/.remove/.clear/.describe)
    app["hub"]       StreamHub (.tick() delivers now, .drop(prefix) tears connections down)
    app["limiters"]  {"spot": WeightLimiter, "usdm": WeightLimiter} (.reset(), .used(ip))
    sandbox.control.step(app, ms)   clock forward + immediate tick
"""
from __future__ import annotations

import importlib
import warnings

from aiohttp import web

from .config import SandboxConfig
from .control import setup_control_routes
from .faults import FaultInjector
from .market import Market
from .middleware import binance_gate
from .rest_market import setup_market_routes
from .stream_hub import StreamHub
from .streams import Profile, serve
from .weights import WeightLimiter


def _stream_routes(app: web.Application, prefix: str, market: str) -> None:
    async def raw_root(request: web.Request) -> web.StreamResponse:
        return await serve(request, market, combined=False, names=[])

    async def raw_named(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        user_streams = request.app.get("user_streams")
        if market == "usdm" and user_streams is not None and user_streams.owns(name):
            return await user_streams.handle(request, name)
        return await serve(request, market, combined=False, names=name.split("/"))

    async def combined(request: web.Request) -> web.StreamResponse:
        return await serve(request, market, combined=True, names=request.query.get("streams", "").split("/"))

    app.router.add_get(f"{prefix}/ws", raw_root)
    app.router.add_get(f"{prefix}/ws/", raw_root)  # clients that build "<base>/ws/" + "" then SUBSCRIBE
    app.router.add_get(f"{prefix}/ws/{{name:.+}}", raw_named)
    app.router.add_get(f"{prefix}/stream", combined)


def _profiles(config: SandboxConfig) -> dict[str, Profile]:
    return {
        "usdm": Profile(config.ping_interval, config.pong_timeout, config.ws_max_messages,
                        config.ws_max_streams, config.ws_cut_seconds),
        "spot": Profile(config.spot_ping_interval, config.spot_pong_timeout, config.spot_ws_max_messages,
                        config.ws_max_streams, config.ws_cut_seconds),
    }


def _setup_trading(app: web.Application) -> None:
    """Hand over to sandbox.trading when it is installed; any other import error is a real bug."""
    try:
        trading = importlib.import_module("sandbox.trading")
    except ModuleNotFoundError as exc:
        if exc.name != "sandbox.trading":
            raise
        return
    trading.setup_trading(app)


def create_app(config: SandboxConfig | None = None, *, market: Market | None = None) -> web.Application:
    # The interface with sandbox.trading and the tests is plain string keys (app["market"], ...).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        return _build(config or SandboxConfig(), market)


def _build(config: SandboxConfig, market: Market | None) -> web.Application:
    app = web.Application(middlewares=[binance_gate])
    app["config"] = config
    app["market"] = market or Market(config)
    faults = FaultInjector(seed=config.fault_seed)
    app["faults"] = faults
    app["limiters"] = {
        name: WeightLimiter(name, budget, config.weight_window_seconds, config.ban_after, config.ban_seconds)
        for name, budget in (("spot", config.weight_budget_spot), ("usdm", config.weight_budget_usdm))
    }
    app["hub"] = StreamHub(app["market"], faults, config.tick_interval)
    app["ws_profiles"] = _profiles(config)
    setup_market_routes(app)
    _stream_routes(app, "", "usdm")
    _stream_routes(app, "/spot", "spot")
    setup_control_routes(app)
    _setup_trading(app)
    for spec in config.faults:
        faults.add(spec)

    async def start(app: web.Application) -> None:
        app["hub"].start()

    async def stop(app: web.Application) -> None:
        app["faults"].release_hanging()
        await app["hub"].stop()

    app.on_startup.append(start)
    app.on_shutdown.append(stop)
    return app
