"""Deleting every local trace of a fhirgate home: store, browser profile, cookies, tokens, secrets.

The audit log is kept unless ``include_audit_log``: it is the user's record of what was done in
their name, and wiping data should not silently wipe that too. Keychain entries are found through the
home's keychain index (and its nested homes', the demo's), under every namespace the home has had.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from fhirgate.secret_errors import SecretsUnusable
from fhirgate.secrets import SecretStore
from fhirgate.settings import Settings


@dataclass
class WipeReport:
    removed_paths: list[Path] = field(default_factory=list)
    removed_secrets: list[str] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def wipe_home(settings: Settings, secrets: SecretStore, *, include_audit_log: bool) -> WipeReport:
    report = WipeReport()
    try:
        report.removed_secrets = secrets.delete_all()
    except SecretsUnusable as exc:  # a damaged secrets file or index: the files below still go
        report.problems.append(str(exc))
    home = settings.home
    if not home.exists():
        return report
    for path in sorted(home.iterdir()):
        if path == settings.audit_log_path and not include_audit_log:
            report.kept.append(path)
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
        report.removed_paths.append(path)
    if include_audit_log and not any(home.iterdir()):
        home.rmdir()
    return report
