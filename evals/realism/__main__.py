"""`python -m evals.realism [--small] [--out PATH]`: the realism table alone (make evals runs it too)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evals.realism.runner import REALISM_MD, report
from evals.realism.sample import SMALL, Sizes

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "reports" / REALISM_MD


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m evals.realism", description=__doc__)
    p.add_argument("--small", action="store_true", help="small counts (a quick look, as the smoke test)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"markdown report (default {DEFAULT_OUT})")
    args = p.parse_args(argv)
    return report(sys.stdout, args.out, SMALL if args.small else Sizes())


if __name__ == "__main__":
    sys.exit(main())
