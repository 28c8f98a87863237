"""The faults suite, repeated: a table of trials and outcomes (issue 14, item 5).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arrears_faults \\
    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/faults.py --trials 5

Runs the tests in `tests/faults/` (marked `faults`) `--trials` times each, on real Celery
workers, PostgreSQL and Redis: a worker SIGKILLed mid-chunk, a worker's database
connection terminated mid-chunk, two runs for one date started at once, Redis down when
beat fires and back later (its own Redis on a free port, stopped and started), and a
worker SIGKILLed while rendering the day's letters. After each trial the test checks
that the night completed, that no letter, timeline entry, recommendation or ledger line
exists twice, that every letter was rendered and packed once, and that every balance
equals its ledger (tests/faults/checks.py). It prints, per fault, the trials, how many
held, and the median and slowest time of a trial (mostly waiting: the cut connection's
retry waits 5 s, workers take a few seconds to start).

Left out: faults of the machine (a full disk, PostgreSQL itself restarting, a clock
jump), and faults during a night at scale: each trial is the eight-case council of the
arrears tests, so it proves what is kept, not how long recovery takes at 200,000
accounts (bench/nightly.py measures the night itself). Pytest creates and drops its own
test database beside the one named, as in CI.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Outcomes:
    """A pytest plugin that keeps each trial's outcome and time, by fault."""

    def __init__(self) -> None:
        self.trials: dict[str, list[tuple[str, float]]] = defaultdict(list)

    def pytest_runtest_logreport(self, report) -> None:
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            fault = report.nodeid.split("::")[-1].split("[")[0].removeprefix("test_")
            self.trials[fault].append((report.outcome, report.duration))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--trials", type=int, default=3, help="repeats of each fault")
    args = parser.parse_args()
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not os.environ.get(name):
            sys.exit(f"{name} must be set: the faults need PostgreSQL and Redis (see above).")
    os.environ["FAULT_TRIALS"] = str(args.trials)
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))

    import pytest

    outcomes = Outcomes()
    code = pytest.main(["-q", "-p", "no:cacheprovider", "-m", "faults", "tests/faults"], [outcomes])

    print(f"\n{'fault':<82} {'trials':>6} {'held':>5} {'median s':>9} {'slowest s':>10}")
    for fault, runs in outcomes.trials.items():
        held = sum(1 for outcome, _ in runs if outcome == "passed")
        times = [seconds for _, seconds in runs]
        print(
            f"{fault:<82} {len(runs):>6} {held:>5} "
            f"{statistics.median(times):>9.1f} {max(times):>10.1f}"
        )
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
