"""Where the test suite's wall time goes, for BENCHMARKS.md: the suite as `make test` runs it (two workers,
a file per worker at a time), its wall time, the CPU it used, and the seconds each test file took.

    python benchmarks/bench_suite.py [--workers 2] [pytest arguments ...]

The check that `make test` runs first (`make check`) is not included. The environment must be installed
(`make install`), and the Debian packages the tests use too (`make test-packages`).
"""

import argparse
import collections
import resource
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    args, pytest_args = parser.parse_known_args()
    with tempfile.TemporaryDirectory(prefix="aiinfra-suite-") as scratch:
        junit = Path(scratch) / "junit.xml"
        command = [sys.executable, "-m", "pytest", "-q", "-n", str(args.workers), "--dist", "loadfile"]
        start = time.perf_counter()
        done = subprocess.run([*command, f"--junitxml={junit}", *pytest_args], cwd=REPO, capture_output=True)
        wall = time.perf_counter() - start
        if not junit.exists():
            sys.exit(done.stdout.decode()[-3000:] + done.stderr.decode()[-3000:])
        by_file: collections.Counter = collections.Counter()
        tests = 0
        for case in ET.parse(junit).getroot().iter("testcase"):
            by_file[case.get("classname")] += float(case.get("time") or 0)
            tests += 1
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"{tests} tests, exit code {done.returncode}: {wall:.1f} s wall on {args.workers} workers, "
          f"{children.ru_utime + children.ru_stime:.1f} s CPU, {sum(by_file.values()):.1f} s of test time")  # fmt: skip
    for name, seconds in by_file.most_common():
        print(f"{seconds:7.1f} s  {name}")


if __name__ == "__main__":
    main()
