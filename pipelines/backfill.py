"""Price history for a range of days, one run at a time: `make backfill FROM=YYYY-MM-DD TO=YYYY-MM-DD`.

Each day is one run of price_history_job for that day's partition (`dg launch`, over the project's instance,
so the runs show in the UI); the next waits for it to end. The first run that fails stops the backfill, naming
the day; the days before it are recorded. Nothing is published: the next daily_job does that.
"""

import argparse
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

INFO_LOGS = '{"loggers": {"console": {"config": {"log_level": "INFO"}}}}'


def days(first: date, last: date) -> list[str]:
    return [(first + timedelta(n)).isoformat() for n in range((last - first).days + 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("first", type=date.fromisoformat, metavar="FROM", help="first day, YYYY-MM-DD")
    parser.add_argument("last", type=date.fromisoformat, metavar="TO", help="last day, YYYY-MM-DD (inclusive)")
    args = parser.parse_args(argv)
    if args.last < args.first:
        parser.error(f"TO ({args.last}) is before FROM ({args.first})")
    dg_cli = Path(sys.executable).parent / "dg"
    todo = days(args.first, args.last)
    for n, day in enumerate(todo, 1):
        print(f"backfill: {day} ({n} of {len(todo)})", flush=True)
        launched = subprocess.run(
            [str(dg_cli), "launch", "--job", "price_history_job", "--partition", day, "--config-json", INFO_LOGS],
            check=False,
        )
        if launched.returncode != 0:
            print(
                f"backfill: the run for {day} failed (see above); {n - 1} day(s) before it are recorded",
                file=sys.stderr,
            )
            return 1
    print(f"backfill: {len(todo)} day(s) recorded; the next `make run` publishes them")
    return 0


if __name__ == "__main__":
    sys.exit(main())
