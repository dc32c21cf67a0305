"""Why secrets cannot be used safely. Each message names what is wrong and what to run; none carries a
secret value.

    SecretsUnusable              base: the CLI prints the message as one line, exit code 1
    ├── UnusableFileError        a private JSON file (the file fallback, the keychain index) is not what
    │                            fhirgate wrote (not a JSON object, truncated, garbage) or is readable by
    │                            others; it is never silently replaced
    ├── KeychainMismatch         the backend did not read back what was just written to it
    └── SecretValueInvalid       a value read back is not one fhirgate could have made (length, charset)
"""

from __future__ import annotations

from pathlib import Path

DOCTOR = "run `fhirgate doctor`"


class SecretsUnusable(Exception):
    """The secrets of this home cannot be used safely; the message is the whole story for the user."""


class UnusableFileError(SecretsUnusable):
    def __init__(self, path: Path, problem: str, fix: str = "") -> None:
        self.path = path
        self.problem = problem
        self.fix = fix or f"fhirgate will not replace it (that would lose what it holds); {DOCTOR}"
        super().__init__(f"{path} {problem}; {self.fix}")


class KeychainMismatch(SecretsUnusable):
    def __init__(self, backend: str, name: str) -> None:
        super().__init__(
            f"the secret store ({backend}) did not read back what was written to {name!r}, so it cannot keep "
            f"secrets; {DOCTOR}"
        )


class SecretValueInvalid(SecretsUnusable):
    def __init__(self, name: str, problem: str, fix: str) -> None:
        super().__init__(f"the secret store returned a {name} fhirgate did not make ({problem}); {fix}")
