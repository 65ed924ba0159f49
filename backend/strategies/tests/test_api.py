"""/api/strategies/...: catalogue, templates, validate, strategies and versions; owner-only; every
bad or hostile body a 4xx with a message naming the block where there is one, never a 500."""

from __future__ import annotations

import json
import uuid

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from strategies.compiler import CompileFailed, compile_workspace
from strategies.models import StrategyVersion
from strategies.template_library import templates

from .workspaces import block, cross, if_, ind, log, num, open_, workspace

pytestmark = pytest.mark.django_db


def client_of(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


def user_make(name: str) -> User:
    email = f"{name}-{uuid.uuid4().hex[:6]}@example.com"
    return User.objects.create_user(username=email, email=email)


@pytest.fixture
def alice():
    return client_of(user_make("alice"))


@pytest.fixture
def bob():
    return client_of(user_make("bob"))


def ema_cross():
    return workspace(if_(cross(ind("ema", period=9), "above", ind("ema", period=21)), [open_("LONG", num(1))]))


def post_raw(client, url: str, text: str | bytes):
    return client.generic("POST", url, text, content_type="application/json")


def test_everything_needs_a_signed_in_user():
    anonymous = client_of(None)
    for url in ("/api/strategies/catalogue/", "/api/strategies/", "/api/strategies/templates/", "/api/strategies/1/"):
        assert anonymous.get(url).status_code == 401
    assert anonymous.post("/api/strategies/validate/", {"workspace": ema_cross()}, format="json").status_code == 401


def test_catalogue_and_templates(alice):
    data = alice.get("/api/strategies/catalogue/").json()
    assert {"blocks", "toolbox", "indicators", "timeframes", "categories"} <= set(data)
    assert any(b["type"] == "indicator_ema" for b in data["blocks"])
    listed = alice.get("/api/strategies/templates/").json()
    assert [t["key"] for t in listed] == [t["key"] for t in templates()]
    for template in listed:
        assert alice.post("/api/strategies/validate/", {"workspace": template["workspace"]},
                          format="json").status_code == 200


def test_validate_answers_the_ir_or_the_errors_by_block(alice):
    ok = alice.post("/api/strategies/validate/", {"workspace": ema_cross()}, format="json")
    assert ok.status_code == 200 and ok.json()["ir"]["on_candle_close"][0]["op"] == "if"
    bad = block("shell")
    refused = alice.post("/api/strategies/validate/", {"workspace": workspace(bad)}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"] == [{"block_id": bad["id"], "message": "unknown block type 'shell'"}]
    assert refused.json()["detail"] == "The strategy does not compile: unknown block type 'shell'"


def test_create_save_versions_and_load(alice):
    created = alice.post("/api/strategies/", {"name": " EMA cross ", "workspace": ema_cross()}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["name"] == "EMA cross" and body["latest_version"] == 1 and body["latest"]["number"] == 1
    sid = body["id"]
    second = ema_cross()
    saved = alice.post(f"/api/strategies/{sid}/versions/", {"workspace": second}, format="json")
    assert saved.status_code == 201 and saved.json()["number"] == 2 and saved.json()["workspace"] == second
    assert [v["number"] for v in alice.get(f"/api/strategies/{sid}/versions/").json()] == [2, 1]
    assert alice.get(f"/api/strategies/{sid}/").json()["latest"]["workspace"] == second
    assert alice.get(f"/api/strategies/{sid}/versions/1/").json()["workspace"] == body["latest"]["workspace"]
    assert alice.get(f"/api/strategies/{sid}/versions/3/").status_code == 404
    assert [s["id"] for s in alice.get("/api/strategies/").json()] == [sid]
    empty = alice.post("/api/strategies/", {"name": "draft"}, format="json").json()
    assert empty["latest_version"] is None and empty["latest"] is None


def test_a_version_that_does_not_compile_is_not_saved(alice):
    sid = alice.post("/api/strategies/", {"name": "s", "workspace": ema_cross()}, format="json").json()["id"]
    bad = num(float("nan"))
    answer = post_raw(alice, f"/api/strategies/{sid}/versions/",
                      json.dumps({"workspace": workspace(log("x", bad))}).replace("NaN", "1e999"))
    assert answer.status_code == 400 and answer.json()["errors"][0]["block_id"] == bad["id"]
    assert StrategyVersion.objects.filter(strategy_id=sid).count() == 1
    refused = alice.post("/api/strategies/", {"name": "t", "workspace": workspace(block("nope"))}, format="json")
    assert refused.status_code == 400 and not alice.get("/api/strategies/").json()[1:]


def test_another_users_strategy_is_not_found(alice, bob):
    sid = alice.post("/api/strategies/", {"name": "mine", "workspace": ema_cross()}, format="json").json()["id"]
    assert bob.get(f"/api/strategies/{sid}/").status_code == 404
    assert bob.get(f"/api/strategies/{sid}/versions/").status_code == 404
    assert bob.get(f"/api/strategies/{sid}/versions/1/").status_code == 404
    assert bob.post(f"/api/strategies/{sid}/versions/", {"workspace": ema_cross()}, format="json").status_code == 404
    assert bob.get("/api/strategies/").json() == []
    assert alice.get(f"/api/strategies/{10**30}/").status_code == 404
    assert alice.get(f"/api/strategies/{sid}/versions/{10**30}/").status_code == 404


@pytest.mark.parametrize("body, status, field", [
    ({"name": "n", "workspace": {}}, 400, None),  # no 'on candle close' block
    ({"name": ""}, 400, "name"), ({"name": "x" * 101}, 400, "name"), ({"name": 5}, 400, "name"),
    ({"name": "a\x00b"}, 400, "name"), ({}, 400, "name"),
])  # fmt: skip
def test_bad_create_bodies(alice, body, status, field):
    answer = alice.post("/api/strategies/", body, format="json")
    assert answer.status_code == status and answer.json()["detail"]
    assert answer.json().get("field") == field


@pytest.mark.parametrize("text, fragment", [
    ("[1, 2]", "Send a JSON object"),
    ("{not json", "not valid JSON"),
    ('{"workspace": NaN}', "NaN is not a number"),
    ('{"workspace": {"__proto__": {"admin": true}}}', "'__proto__' is not allowed"),
    ('{"no": "workspace"}', "Send the Blockly workspace"),
    ('{"workspace": {"blocks": {"blocks": [{"type": "on_candle_close", "id": "h", "x": 1e999}]}}}', "not finite"),
    ('{"workspace": {"blocks": {"blocks": [{"type": "on_candle_close", "id": "h", "data": "\\u0000"}]}}}', "NUL"),
    ('{"workspace": {"blocks": {"blocks": [{"type": "on_candle_close", "id": "h", "data": "\\ud800"}]}}}', "invalid"),
    (b"\xff\xfe{}", "not valid JSON"),
])  # fmt: skip
def test_hostile_raw_bodies_are_400_with_a_message(alice, text, fragment):
    answer = post_raw(alice, "/api/strategies/validate/", text)
    assert answer.status_code == 400, answer.content
    assert fragment in json.dumps(answer.json()), answer.json()


def test_deep_nesting_is_400_naming_a_block_and_oversized_is_413(alice):
    text = '{"type": "number", "id": "n-0", "fields": {"NUM": 1}}'
    for i in range(1, 1001):
        text = f'{{"type": "math_unary", "id": "n-{i}", "fields": {{"OP": "neg"}}, "inputs": {{"X": {{"block": {text}}}}}}}'
    raw = ('{"workspace": {"blocks": {"languageVersion": 0, "blocks": [{"type": "on_candle_close", "id": "hat", '
           f'"inputs": {{"DO": {{"block": {{"type": "log", "id": "l", "inputs": {{"VALUE": {{"block": {text}}}}}}}}}}}}}]}}}}}}')
    answer = post_raw(alice, "/api/strategies/validate/", raw)
    assert answer.status_code == 400 and answer.json()["errors"][0]["block_id"].startswith("n-")
    huge = json.dumps({"workspace": ema_cross(), "pad": "x" * (600 * 1024)})
    too_large = post_raw(alice, "/api/strategies/validate/", huge)
    assert too_large.status_code == 413 and "at most" in too_large.json()["detail"]
    chained = '{"type":"log","id":"i"}'
    for i in range(9998, -1, -1):  # a stack of 10,000 statements: Blockly nests each under the previous
        chained = f'{{"type":"log","id":"i{i}","next":{{"block":{chained}}}}}'
    raw = f'{{"workspace":{{"blocks":{{"blocks":[{{"type":"on_candle_close","id":"h","inputs":{{"DO":{{"block":{chained}}}}}}}]}}}}}}'
    assert len(raw) < 512 * 1024
    answer = post_raw(alice, "/api/strategies/validate/", raw)
    assert answer.status_code == 400 and answer.json()["errors"][0]["block_id"].startswith("i")
    loose = workspace(loose=tuple(num(i) for i in range(3_000)))  # blocks side by side, not nested
    answer = alice.post("/api/strategies/validate/", {"workspace": loose}, format="json")
    assert answer.status_code == 400 and answer.json()["errors"][-1]["message"] == "more than 2000 blocks"


def test_a_workspace_at_the_nesting_limit_is_saved_and_read_back(alice):
    """The deepest stack the compiler accepts still goes through the database and the JSON renderer
    (both encode it recursively) with frames to spare."""
    def stack(n: int) -> dict:
        return workspace(*[log(str(i)) for i in range(n)])

    deepest = 1
    while True:  # the compiler's limit, found through the compiler itself
        try:
            compile_workspace(stack(deepest + 1))
        except CompileFailed:
            break
        deepest += 1
    assert deepest > 250
    created = alice.post("/api/strategies/", {"name": "deep", "workspace": stack(deepest)}, format="json")
    assert created.status_code == 201
    sid = created.json()["id"]
    assert alice.get(f"/api/strategies/{sid}/").status_code == 200
    assert alice.get(f"/api/strategies/{sid}/versions/1/").status_code == 200
