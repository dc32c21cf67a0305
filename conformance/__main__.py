"""``python -m conformance [--size small|large] [--seed N] [--require-fidelity] [--show-dropped]``.

Exits 0 when every resource passes validators 1 and 2 and its US Core rules and the facade serves it
unchanged; 1 on any validation finding (or, with ``--require-fidelity``, on any portal leaf not accounted
for); 2 when the run cannot start (unsupported size, Medplum not installed).
"""

from __future__ import annotations

import argparse
import logging
import sys

from conformance.dropped import load_rules
from conformance.medplum import MedplumUnavailableError
from conformance.pipeline import run_conformance
from conformance.table import render_report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance", description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="small", help="sandbox patient size: small (default) or large")
    parser.add_argument("--seed", type=int, default=1, help="sandbox patient seed (default 1)")
    parser.add_argument("--require-fidelity", action="store_true", help="also fail on unaccounted portal leaves")
    parser.add_argument("--show-dropped", action="store_true", help="list the dropped leaves and why")
    parser.add_argument("--limit", type=int, default=60, help="findings shown per section (default 60)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")
    # The facade check fails a surface on purpose (to get outcome entries); the store's warning about it is noise.
    logging.getLogger("gateway.store").setLevel(logging.ERROR)
    try:
        report = run_conformance(args.size, args.seed)
    except ValueError as error:
        if "size" not in str(error):
            raise
        sys.stderr.write(
            f"conformance: the sandbox patient generator does not offer size {args.size!r} yet ({error})\n"
        )
        return 2
    except MedplumUnavailableError as error:
        sys.stderr.write(f"conformance: {error}\n")
        return 2
    sys.stdout.write(render_report(report, detail_limit=args.limit) + "\n")
    if args.show_dropped:
        sys.stdout.write("\ndropped portal leaves (conformance/dropped.toml):\n")
        for rule in load_rules().drops:
            value = f" = {rule.value!r}" if rule.value is not None else ""
            sys.stdout.write(f"  {rule.surface}: {rule.path}{value} -- {rule.reason}\n")
    unaccounted = any(tally.missing for tally in report.fidelity.values())
    return 1 if not report.ok or (args.require_fidelity and unaccounted) else 0


if __name__ == "__main__":
    sys.exit(main())
