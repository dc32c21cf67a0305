"""``--faults`` text -> ``FaultSwitches``: comma-separated ``name=value`` pairs (flags without a value).

latency=0.15            seconds added to every data request
expire-after=N          the session behind the N-th data request dies
expiry=identity|sign-in|html|401|403
expire-all              every session is idle-expired
429-every=N             every N-th data request answers 429; retry-after=S sets its header
burst=STATUS:COUNT      COUNT answers of STATUS (500/502/503) ...; burst-after=N ... after N data requests
    burst-path=PATH         only requests on paths containing PATH take part in the burst
truncate=PATH           JSON answers on paths containing PATH are cut in half
drift=PATH:FIELD[:NEW]  FIELD renamed to NEW (or dropped) in JSON answers on PATH
error=PATH:N            200 {"error": N} on PATH
write-fail=STEP         the write chain fails halfway at STEP (SaveMedicalAdviceRequestDraft,
                        SendMedicalAdviceRequest or placeorderMail): 200 with a failure code
csrf-max-age=S          anti-forgery tokens older than S seconds bounce to FiveHundred
"""

from __future__ import annotations

from typing import TypeVar, cast

from sandbox.portal.config import EXPIRY_STYLES, ExpiryStyle, FaultSwitches
from sandbox.portal.write_ledger import WRITE_STEPS

__all__ = ["FaultSpecError", "parse_faults"]

_N = TypeVar("_N", int, float)


class FaultSpecError(ValueError):
    """The ``--faults`` text names an unknown switch or a malformed value."""


def parse_faults(text: str) -> FaultSwitches:
    faults = FaultSwitches()
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name, _, value = item.partition("=")
        try:
            _apply(faults, name.strip().lower(), value.strip())
        except (ValueError, IndexError) as exc:
            raise FaultSpecError(f"bad fault {item!r}: {exc}") from None
    return faults


def _apply(faults: FaultSwitches, name: str, value: str) -> None:
    if name == "latency":
        faults.latency_seconds = _non_negative(float(value))
    elif name == "expire-after":
        faults.expire_after_requests = _positive(int(value))
    elif name == "expiry":
        if value not in EXPIRY_STYLES:
            raise ValueError(f"expiry must be one of {', '.join(EXPIRY_STYLES)}")
        faults.expiry_style = cast(ExpiryStyle, value)
    elif name == "expire-all":
        faults.expire_all_sessions = True
    elif name == "429-every":
        faults.rate_limit_every = _positive(int(value))
    elif name == "retry-after":
        faults.retry_after_seconds = _non_negative(float(value))
    elif name == "burst":
        status, count = value.split(":")
        faults.burst_status, faults.burst_count = int(status), _positive(int(count))
        if faults.burst_status not in (500, 502, 503, 504):
            raise ValueError("burst status must be 500, 502, 503 or 504")
    elif name == "burst-path":
        faults.burst_path = _required(value)
    elif name == "burst-after":
        faults.burst_after = _non_negative(int(value))
    elif name == "truncate":
        faults.truncated_json.add(_required(value))
    elif name == "drift":
        parts = value.split(":")
        if len(parts) not in (2, 3):
            raise ValueError("expected PATH:FIELD or PATH:FIELD:NEW")
        faults.schema_drift = (_required(parts[0]), _required(parts[1]), parts[2] if len(parts) == 3 else None)
    elif name == "error":
        path, code = value.split(":")
        faults.error_code = (_required(path), int(code))
    elif name == "write-fail":
        if value not in WRITE_STEPS:
            raise ValueError(f"write-fail must be one of {', '.join(WRITE_STEPS)}")
        faults.write_fail_at = value
    elif name == "csrf-max-age":
        faults.csrf_max_age = _non_negative(float(value))
    else:
        raise ValueError("unknown switch")


def _positive(number: int) -> int:
    if number <= 0:
        raise ValueError("must be positive")
    return number


def _non_negative(number: _N) -> _N:
    if number < 0:
        raise ValueError("must not be negative")
    return number


def _required(text: str) -> str:
    if not text:
        raise ValueError("empty value")
    return text
