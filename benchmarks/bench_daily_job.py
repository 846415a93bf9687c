"""Times for BENCHMARKS.md: the daily job against DuckDB alone on the same inputs.

Both are timed as a user runs them, from process start to exit, N times each; the median is
reported. The environment must already be installed (`make bench` does that first).

    python benchmarks/bench_daily_job.py [--runs 5]
"""

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def timed(cmd: list, env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    scratch = Path(tempfile.mkdtemp(prefix="aiinfra-bench-"))
    try:
        home = scratch / "dagster_home"
        home.mkdir()
        shutil.copy(REPO / "dagster.yaml", home)
        env = {
            **os.environ,
            "DAGSTER_HOME": str(home),
            "VIRTUAL_ENV": sys.prefix,
            "AIINFRA_WAREHOUSE_DIR": str(scratch / "warehouse"),
        }
        today = time.strftime("%Y-%m-%d", time.gmtime())
        job = [timed([BIN / "dg", "launch", "--job", "daily_job", "--partition", today], env) for _ in range(runs)]
        bare = [
            timed([sys.executable, REPO / "benchmarks" / "bare_duckdb.py", scratch / "bare"], env) for _ in range(runs)
        ]
    finally:
        shutil.rmtree(scratch)
    job_s, bare_s = statistics.median(job), statistics.median(bare)
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"runs: {runs} each; all times in seconds\n")
    print("| what | median | min | max |")
    print("|---|---|---|---|")
    print(f"| daily job (`dg launch --job daily_job`) | {job_s:.2f} | {min(job):.2f} | {max(job):.2f} |")
    print(f"| DuckDB alone (`benchmarks/bare_duckdb.py`) | {bare_s:.2f} | {min(bare):.2f} | {max(bare):.2f} |")
    print(f"\nratio job / DuckDB alone: {job_s / bare_s:.1f}x")


if __name__ == "__main__":
    main()
