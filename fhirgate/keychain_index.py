"""The keychain entries a home has made, as (namespace, name) pairs in ``FHIRGATE_HOME/keychain-index.json``.

A keychain cannot be listed portably, and a home's namespace (keyring service) is derived from its path:
a home that was moved has entries under its old namespace, and the demo home nested inside has its own.
The index lives in the home, so it moves with it, and `fhirgate wipe` reads it (and every nested home's)
to delete every entry. An entry is indexed before it is written, so a crash in between leaves at worst
an index line with no secret, never a secret nobody can find. Names only, never values.
"""

from __future__ import annotations

from pathlib import Path

from fhirgate.private_json_file import JsonObject, PrivateJsonFile

INDEX_FILE = "keychain-index.json"


def _index_shape(data: JsonObject) -> bool:
    entries = data.get("entries")
    return isinstance(entries, dict) and all(
        isinstance(names, list) and all(isinstance(n, str) for n in names) for names in entries.values()
    )


class KeychainIndex:
    def __init__(self, home: Path) -> None:
        self.home = home
        self._file = PrivateJsonFile(home / INDEX_FILE, _index_shape, "keychain index")

    def entries(self) -> list[tuple[str, str]]:
        entries = self._file.read().get("entries", {})
        return [(service, name) for service, names in sorted(entries.items()) for name in names]

    def add(self, service: str, name: str) -> None:
        if (service, name) in self.entries():
            return
        with self._file.updating() as data:
            names = data.setdefault("entries", {}).setdefault(service, [])
            if name not in names:
                names.append(name)

    def remove(self, service: str, name: str) -> None:
        if (service, name) not in self.entries():
            return
        with self._file.updating() as data:
            entries = data.setdefault("entries", {})
            names = [n for n in entries.get(service, []) if n != name]
            if names:
                entries[service] = names
            else:
                entries.pop(service, None)

    def forget(self) -> None:
        self._file.remove()


def indexes_under(home: Path) -> list[KeychainIndex]:
    """The index of ``home`` and of every home nested in it (the demo's), deepest first."""
    found = sorted(home.rglob(INDEX_FILE), key=lambda p: len(p.parts), reverse=True) if home.is_dir() else []
    return [KeychainIndex(path.parent) for path in found if path.is_file()]
