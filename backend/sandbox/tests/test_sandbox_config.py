"""Settings from env and flags, and the ``python -m sandbox`` entry point."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sandbox import __main__ as entry
from sandbox.config import SandboxConfig, from_args, from_env, parse_time_ms

BACKEND = Path(__file__).resolve().parents[2]


def test_env_then_flags():
    env = {"SANDBOX_SPEED": "60", "SANDBOX_PORT": "9000", "SANDBOX_EXTRA_SYMBOLS": "350",
           "SANDBOX_FAULTS": '{"kind": "latency", "ms": 50}', "SANDBOX_ACCESS_LOG": "true"}
    config = from_env(env)
    assert (config.speed, config.port, config.extra_symbols, config.access_log) == (60.0, 9000, 350, True)
    assert config.faults == [{"kind": "latency", "ms": 50}]
    config = from_args(["--port", "9100", "--start", "2025-12-18T00:00:00Z", "--ws-cut-seconds", "30"], env)
    assert config.port == 9100 and config.speed == 60.0 and config.ws_cut_seconds == 30.0
    assert config.start == parse_time_ms("1766016000000")


@pytest.mark.parametrize("name,value", [("SANDBOX_SPEED", "fast"), ("SANDBOX_ACCESS_LOG", "yes"),
                                        ("SANDBOX_FAULTS", "{oops"), ("SANDBOX_START", "yesterday")])
def test_bad_env_values_fail_loudly(name, value):
    with pytest.raises(ValueError, match=name.removeprefix("SANDBOX_").lower()):
        from_env({name: value})


def test_start_before_the_data_is_refused():
    from sandbox.market import Market

    with pytest.raises(ValueError, match="before the first recorded candle"):
        Market(SandboxConfig(start=0))


def test_keys_subcommand_goes_to_sandbox_keys(monkeypatch):
    seen = []
    monkeypatch.setattr("sandbox.keys.main", lambda argv, **kw: seen.append(argv) or 3)
    assert entry.main(["keys", "list"]) == 3  # its exit status is the process's
    assert seen == [["list"]]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_python_m_sandbox_serves(tmp_path):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "sandbox", "--host", "127.0.0.1", "--port", str(port),
                             "--speed", "60", "--keys-file", str(tmp_path / "keys.json")],
                            cwd=BACKEND, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/fapi/v1/time", timeout=1) as resp:
                    assert resp.status == 200 and b"serverTime" in resp.read()
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
