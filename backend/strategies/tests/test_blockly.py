"""The catalogue in real Blockly (the client's npm `blockly`, run headless with node): every block
definition loads, each template survives Blockly's load/save and still compiles to the same IR, and
Blockly's own type checks agree with the compiler's value types."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from strategies.blocks import catalogue
from strategies.compiler import compile_workspace
from strategies.template_library import templates

CLIENT = Path(__file__).resolve().parents[3] / "client"
SCRIPT = Path(__file__).with_name("blockly_check.cjs")

pytestmark = pytest.mark.skipif(shutil.which("node") is None or not (CLIENT / "node_modules" / "blockly").is_dir(),
                                reason="needs node and the client's node_modules (npm ci in client/)")

PROBES = [  # (block with the socket, socket, plugged block) -> Blockly may connect them
    (("compare", "A", "number"), True),
    (("compare", "A", "indicator_ema"), True),  # a series fits a number socket
    (("compare", "A", "boolean"), False),
    (("logic_binary", "A", "compare"), True),
    (("logic_binary", "A", "indicator_rsi"), False),
    (("if_then", "COND", "cross"), True),
    (("if_then", "COND", "variables_get"), False),
    (("choose", "COND", "signal_active"), True),
    (("arithmetic", "B", "position_has"), False),
]


def run_blockly() -> dict:
    payload = json.dumps({"catalogue": catalogue(), "templates": templates(), "probes": [p for p, _ in PROBES]})
    result = subprocess.run(["node", str(SCRIPT), str(CLIENT)], input=payload, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_catalogue_in_real_blockly():
    report = run_blockly()
    # Our variable blocks replace Blockly's own on purpose (its dynamic Variables category makes them).
    assert all("variables_get" in w or "variables_set" in w for w in report["warnings"]), report["warnings"]
    for template in templates():
        resaved = report["saved"][template["key"]]
        assert compile_workspace(resaved) == compile_workspace(template["workspace"]), template["key"]
    assert report["connects"] == [expected for _, expected in PROBES]
