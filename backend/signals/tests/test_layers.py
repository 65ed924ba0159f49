"""Layers point one way in signals/: services import no API edge, and the service modules
form no import circle (imports inside functions count: a circle hidden in a function is still one)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[1] / "services"


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def _graph() -> dict[str, set[str]]:
    modules = {f"signals.services.{p.stem}": p for p in SERVICES.glob("*.py") if p.stem != "__init__"}
    return {name: {m for m in _imports(path) if m in modules} for name, path in modules.items()}


def test_services_import_no_api_module():
    for path in SERVICES.glob("*.py"):
        edges = [m for m in _imports(path) if m.startswith(("signals.api", "rest_framework"))]
        assert edges == [], (path.name, edges)


def test_service_modules_form_no_import_circle():
    graph = _graph()
    visiting, done = set(), set()

    def visit(node: str, trail: list[str]) -> None:
        assert node not in visiting, " -> ".join([*trail, node])
        if node in done:
            return
        visiting.add(node)
        for target in graph[node]:
            visit(target, [*trail, node])
        visiting.discard(node)
        done.add(node)

    for module in graph:
        visit(module, [])


def test_one_list_of_signal_timeframes():
    from config.env import read_scanner_timeframes  # noqa: F401 - reads signals.config
    from signals.api.serializers import TIMEFRAMES
    from signals.config import SIGNAL_TIMEFRAMES, TIMEFRAME_MS, SignalConfig

    assert TIMEFRAMES is SIGNAL_TIMEFRAMES == tuple(TIMEFRAME_MS) == SignalConfig().timeframes


def test_the_clients_timeframes_are_the_servers():
    """The client's compile-time list (it types every signal) is the server's list, checked here;
    at run time the client also reads `timeframes` from GET /api/scanner/status/."""
    import re

    from signals.config import SIGNAL_TIMEFRAMES

    source = (Path(__file__).resolve().parents[3] / "client/src/features/signals/api/signal.ts").read_text()
    [listed] = re.findall(r"export const TIMEFRAMES = \[([^\]]*)\] as const;", source)
    assert tuple(re.findall(r"'([^']+)'", listed)) == SIGNAL_TIMEFRAMES


@pytest.mark.django_db
def test_the_scanner_status_names_the_timeframes(client):
    from signals.config import SIGNAL_TIMEFRAMES

    assert client.get("/api/scanner/status/").json()["timeframes"] == list(SIGNAL_TIMEFRAMES)
