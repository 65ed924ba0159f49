"""``/sandbox/*`` control endpoints (not Binance's; exempt from weights and faults).

    GET    /sandbox/status           clock, symbols, connections, topics, weights, faults
    GET    /sandbox/clock            {"now", "iso", "speed", "dataStart", "dataEnd"}
    POST   /sandbox/clock            {"time": ms | ISO-8601, "speed": x}   (forward only)
    POST   /sandbox/clock/step       {"ms": n} | {"seconds": s} | {"candles": n}  (5m candles)
    GET    /sandbox/faults           active faults
    POST   /sandbox/faults           one fault object or a list (see sandbox/faults.py) -> 201
    DELETE /sandbox/faults[/{id}]    switch all (or one) off
    POST   /sandbox/ws/drop          {"path_prefix": ""} -> {"dropped": n}
    POST   /sandbox/limits/reset     forget every IP's used weight and bans
    POST   /sandbox/keys             {"label", "ipRestrict", "enableWithdrawals"} (all optional) -> 201
                                     {"apiKey", "secretKey", "label", "createTime", ...}: a new key,
                                     its own account (the only time the secret is shown)
    DELETE /sandbox/keys/{apiKey}    -> {"deleted": true}, 404 for an unknown key

Errors are ``{"error": "<what is wrong>"}`` with HTTP 400 (or 404 for an unknown fault id).
"""
from __future__ import annotations

import time
from datetime import datetime, timezone

import orjson
from aiohttp import web

from .config import parse_time_ms
from .dataset import CANDLE_MS
from .keys import KeyStore, keys_file_from_config


def _ok(body, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(body), status=status, content_type="application/json")


def _bad(message: str, status: int = 400) -> web.Response:
    return _ok({"error": message}, status)


async def _body(request: web.Request):
    raw = await request.read()
    if not raw:
        return {}
    return orjson.loads(raw)


def clock_state(app: web.Application) -> dict:
    market = app["market"]
    now = market.now_ms()
    return {"now": now, "iso": datetime.fromtimestamp(now / 1000, tz=timezone.utc).isoformat(),
            "speed": market.clock.speed, "dataStart": market.dataset.first_open_time,
            "dataEnd": market.dataset.data_end_time, "loop": "ping-pong"}


def step(app: web.Application, ms: int) -> int:
    """Python API: move the clock forward and deliver the tick at once (listeners, streams)."""
    now = app["market"].clock.step(ms)
    app["hub"].tick()
    return now


async def get_clock(request: web.Request) -> web.Response:
    return _ok(clock_state(request.app))


async def set_clock(request: web.Request) -> web.Response:
    try:
        body = await _body(request)
        if not isinstance(body, dict):
            raise ValueError("expected a JSON object")
        clock = request.app["market"].clock
        if "time" in body:
            clock.set_time(parse_time_ms(body["time"]))
        if "speed" in body:
            clock.set_speed(float(body["speed"]))
    except (ValueError, TypeError) as exc:
        return _bad(str(exc))
    request.app["hub"].tick()
    return _ok(clock_state(request.app))


async def step_clock(request: web.Request) -> web.Response:
    try:
        body = await _body(request)
        if not isinstance(body, dict) or len(body) != 1:
            raise ValueError('send exactly one of {"ms": n}, {"seconds": s}, {"candles": n}')
        (unit, amount), = body.items()
        factor = {"ms": 1, "seconds": 1000, "candles": CANDLE_MS}.get(unit)
        if factor is None or isinstance(amount, bool) or not isinstance(amount, (int, float)):
            raise ValueError('send exactly one of {"ms": n}, {"seconds": s}, {"candles": n}')
        step(request.app, int(amount * factor))
    except (ValueError, TypeError) as exc:
        return _bad(str(exc))
    return _ok(clock_state(request.app))


async def get_faults(request: web.Request) -> web.Response:
    return _ok(request.app["faults"].describe())


async def add_faults(request: web.Request) -> web.Response:
    faults = request.app["faults"]
    try:
        body = await _body(request)
        specs = body if isinstance(body, list) else [body]
        added = [faults.add(spec) for spec in specs]
    except (ValueError, TypeError) as exc:
        return _bad(str(exc))
    now = time.monotonic()
    return _ok([f.public(now) for f in added], 201)


async def delete_faults(request: web.Request) -> web.Response:
    faults = request.app["faults"]
    fault_id = request.match_info.get("fault_id")
    if fault_id is None:
        faults.clear()
    elif not fault_id.isdigit() or not faults.remove(int(fault_id)):
        return _bad(f"no active fault {fault_id}", 404)
    return _ok(faults.describe())


async def drop_ws(request: web.Request) -> web.Response:
    try:
        body = await _body(request)
        prefix = body.get("path_prefix", "") if isinstance(body, dict) else None
        if not isinstance(prefix, str):
            raise ValueError("path_prefix must be a string")
    except (ValueError, TypeError) as exc:
        return _bad(str(exc))
    # The ws_drop hook: the hub's connections and the user data stream sockets alike.
    return _ok({"dropped": request.app["faults"].on_ws_drop(prefix)})


async def reset_limits(request: web.Request) -> web.Response:
    for limiter in request.app["limiters"].values():
        limiter.reset()
    return _ok({"reset": True})


async def status(request: web.Request) -> web.Response:
    app = request.app
    hub = app["hub"]
    return _ok({"clock": clock_state(app), "symbols": len(app["market"].symbols()),
                "connections": len(hub.connections), "topics": len(hub.topics),
                "weights": {name: lim.snapshot() for name, lim in app["limiters"].items()},
                "faults": app["faults"].describe()})


def _key_store(app: web.Application) -> KeyStore:
    # The trading part's own store when it is installed: a write through it refreshes the cache
    # its signing check reads, so the new key works on the very next request.
    from .trading.edge import KEYS

    store = app.get(KEYS)
    return store if store is not None else KeyStore(keys_file_from_config(app["config"]))


async def create_key(request: web.Request) -> web.Response:
    """A new API key (and so a new account, funded with the starting balance), as
    `python -m sandbox keys create` makes, for platforms that hand each user a paper account."""
    try:
        body = await _body(request)
        if not isinstance(body, dict):
            raise ValueError("expected a JSON object")
        label, ip_restrict, withdrawals = (body.get("label", ""), body.get("ipRestrict", False),
                                           body.get("enableWithdrawals", False))
        if not isinstance(label, str) or len(label) > 100:
            raise ValueError("label must be a string of at most 100 characters")
        if not isinstance(ip_restrict, bool) or not isinstance(withdrawals, bool):
            raise ValueError("ipRestrict and enableWithdrawals must be true or false")
    except (ValueError, TypeError) as exc:
        return _bad(str(exc))
    key = _key_store(request.app).create(label=label, ip_restrict=ip_restrict, enable_withdrawals=withdrawals)
    return _ok({"apiKey": key.api_key, "secretKey": key.secret, "label": key.label, "createTime": key.created_ms,
                "ipRestrict": key.ip_restrict, "enableWithdrawals": key.enable_withdrawals}, 201)


async def delete_key(request: web.Request) -> web.Response:
    if not _key_store(request.app).delete(request.match_info["api_key"]):
        return _bad("no such key", 404)
    return _ok({"deleted": True})


def setup_control_routes(app: web.Application) -> None:
    app.router.add_get("/sandbox/status", status)
    app.router.add_get("/sandbox/clock", get_clock)
    app.router.add_post("/sandbox/clock", set_clock)
    app.router.add_post("/sandbox/clock/step", step_clock)
    app.router.add_get("/sandbox/faults", get_faults)
    app.router.add_post("/sandbox/faults", add_faults)
    app.router.add_delete("/sandbox/faults", delete_faults)
    app.router.add_delete("/sandbox/faults/{fault_id}", delete_faults)
    app.router.add_post("/sandbox/ws/drop", drop_ws)
    app.router.add_post("/sandbox/limits/reset", reset_limits)
    app.router.add_post("/sandbox/keys", create_key)
    app.router.add_delete("/sandbox/keys/{api_key}", delete_key)
