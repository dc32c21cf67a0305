"""A home holding two sources, as a user would have it: the ``small`` Kaiser record synced into its store,
and the sandbox SMART EHR on loopback connected as ``valley-clinic`` (public client, consent by form), with
secrets in the home's file keychain so `fhirgate` subprocesses can use them."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fhir_client import ClientCredentials, SourceCatalog, begin_launch, complete_launch
from fhirgate.secrets import FileKeyring, SecretStore
from fhirgate.settings import Settings
from sandbox.ehr import EhrApp
from tests.bulk.small_record import SmallRecord, seed_small_record
from tests.sandbox.ehr.ehr_harness import REDIRECT_URI, consent_by_form, ehr_config, running_ehr

PRACTICE = "valley-clinic"


@dataclass(frozen=True)
class TwoSourceHome:
    home: Path
    kaiser: SmallRecord
    ehr: EhrApp
    practice_base: str

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_fhirgate(self.home, *args)


def run_fhirgate(home: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`fhirgate ARGS` as a user runs it, on ``home`` (secrets in the home's file keychain)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FHIRGATE_", "HEALOW_"))}
    env.update(FHIRGATE_HOME=str(home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", COLUMNS="120")
    return subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "fhirgate", *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


async def _connect(home: Path, base_url: str) -> None:
    settings = Settings.from_environ({"FHIRGATE_HOME": str(home)})
    secrets = SecretStore(settings.keyring_service, FileKeyring(home / "secrets.json"))
    catalog = SourceCatalog(home / "sources.sqlite3")
    credentials = ClientCredentials("app-public")
    url = await begin_launch(
        PRACTICE, base_url, credentials, catalog=catalog, secrets=secrets, redirect_uri=REDIRECT_URI
    )
    redirect = await consent_by_form(url, None)
    await complete_launch(PRACTICE, redirect, credentials, catalog=catalog, secrets=secrets)


@contextmanager
def two_source_home(root: Path) -> Iterator[TwoSourceHome]:
    home = root / "home"
    kaiser = seed_small_record(home / "store.sqlite3")
    try:
        with running_ehr(root, ehr_config()) as (ehr, base_url):
            asyncio.run(_connect(home, base_url))
            yield TwoSourceHome(home, kaiser, ehr, base_url)
    finally:
        kaiser.store.close()
