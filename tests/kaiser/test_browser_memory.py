"""What the sign-in browser's memory keeps: only what a browser keeps across a restart (unexpired
persistent cookies, local storage), and nothing it cannot hand back to Playwright."""

from __future__ import annotations

import json

from fhirgate.secrets import SecretStore
from gateway.kaiser.browser_memory import BROWSER_STATE_SECRET_NAME, KeychainBrowserMemory, lasting_state, valid_state
from tests.conftest import InMemoryKeyring

NOW = 1_800_000_000.0


def _cookie(name: str, expires: float) -> dict[str, object]:
    return {"name": name, "value": f"{name}-value", "domain": "127.0.0.1", "path": "/", "expires": expires}


def test_only_unexpired_persistent_cookies_and_local_storage_are_kept() -> None:
    state = {
        "cookies": [_cookie("PF.PERSISTENT", NOW + 86400), _cookie("MyChartSessionToken", -1), _cookie("old", NOW - 1)],
        "origins": [{"origin": "http://127.0.0.1", "localStorage": [{"name": "k", "value": "v"}]}],
    }
    kept = lasting_state(state, now=NOW)
    assert [c["name"] for c in kept["cookies"]] == ["PF.PERSISTENT"]
    assert kept["origins"] == state["origins"]


def test_a_damaged_keychain_entry_means_a_new_device_not_a_crash(memory_keyring: InMemoryKeyring) -> None:
    store = SecretStore("svc", memory_keyring)
    memory = KeychainBrowserMemory(store)
    assert memory.recall() is None
    for damaged in ("not json", "[1, 2]", json.dumps({"cookies": [{"name": "x"}]}), json.dumps({"origins": 5})):
        memory_keyring.secrets[("svc", BROWSER_STATE_SECRET_NAME)] = damaged
        assert memory.recall() is None

    good = {"cookies": [_cookie("PF.PERSISTENT", NOW)], "origins": []}
    memory.remember(good)
    assert memory.recall() == good == valid_state(good)
