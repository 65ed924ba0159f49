"""Sandbox API keys: the command and the store the server reads."""

from __future__ import annotations

import io
import json
import stat

from sandbox.keys import KEY_LENGTH, KeyStore, is_well_formed, main


def test_create_list_delete_via_command(tmp_path):
    path = tmp_path / "keys.json"
    out = io.StringIO()
    assert main(["keys", "--keys-file", str(path), "create", "--label", "alice"], out=out) == 0
    lines = out.getvalue().splitlines()
    api_key = lines[0].split()[-1]
    secret = lines[1].split()[-1]
    assert is_well_formed(api_key) and len(secret) == KEY_LENGTH

    listing = io.StringIO()
    assert main(["--keys-file", str(path), "list"], out=listing) == 0
    assert api_key in listing.getvalue() and "alice" in listing.getvalue()
    assert secret not in listing.getvalue()

    assert main(["--keys-file", str(path), "delete", api_key], out=io.StringIO()) == 0
    assert KeyStore(path).get(api_key) is None
    assert main(["--keys-file", str(path), "delete", api_key], out=io.StringIO()) == 1


def test_store_file_is_private_and_reloaded_when_changed(tmp_path):
    path = tmp_path / "sub" / "keys.json"
    server_view = KeyStore(path)
    assert server_view.get("A" * 64) is None
    key = KeyStore(path).create(label="cli")  # another process, e.g. the command
    assert server_view.get(key.api_key).secret == key.secret
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["keys"][0]["label"] == "cli"


def test_secret_never_in_repr(tmp_path):
    key = KeyStore(tmp_path / "k.json").create(label="x")
    assert key.secret not in repr(key) and key.secret not in str(key)

