"""Times for BENCHMARKS.md: the whole daily job on big generated inputs (issue 10).

For each size, benchmarks/gen_scale.py writes a data directory (N flows among K companies, M dated price
observations as reference rows; its docstring says why prices go in that way) into a scratch directory,
and the daily job runs on it for today's partition, as `make run` runs it: `dg launch` in a process group of
its own, a fresh DAGSTER_HOME with a copy of dagster.yaml, its own AIINFRA_WAREHOUSE_DIR, AIINFRA_DATA_DIR
pointed at the generated directory, INFO logs, the `snapshot` price source.

Per size it records the job process's wall time, its peak RSS (wait4's ru_maxrss: the largest of the
process and any children it waited for; `dg launch` runs the steps in its own process), the peak size of DuckDB's
spilled data (`<warehouse>/duckdb_tmp/`, the warehouse connections' temp_directory, and any
`<database>.tmp/`, DuckDB's default) and of the whole warehouse directory, polled every half second, and
how the run ended. A run past --timeout, or one that leaves less than --min-free-gb free on the scratch
disk or less than --min-memory-gb of memory available, is stopped by killing its process group: before
the disk fills, or the kernel's out-of-memory killer picks a process (maybe someone else's). Each size's
scratch directory is removed after its run unless --keep; a failed run's last log lines go to stderr.

    python benchmarks/bench_scale.py [--flows 1000000 ...] [--sweep] [--companies 10] [--prices 10000000]
                                     [--timeout 3600] [--min-free-gb 5] [--min-memory-gb 3] [--scratch DIR] [--keep]
"""

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from gen_scale import generate

REPO = Path(__file__).resolve().parent.parent
INFO_LOGS = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}  # as make run logs
MB = 1024 * 1024


def disk_bytes(warehouse: Path) -> tuple[int, int]:
    """Bytes on disk under `warehouse`, and how many of them are DuckDB's spilled data: in duckdb_tmp/ (the
    warehouse connections' temp_directory) or a `<database>.tmp/` (DuckDB's default, for other files).
    Files come and go while the job runs."""
    total = spilled = 0
    for top, _, files in os.walk(warehouse):
        spill = any(d == "duckdb_tmp" or d.endswith(".tmp") for d in Path(top).relative_to(warehouse).parts)
        for name in files:
            try:
                size = (Path(top) / name).stat().st_blocks * 512
            except FileNotFoundError:
                continue
            total += size
            spilled += size if spill else 0
    return total, spilled


def available_memory() -> int:
    with open("/proc/meminfo") as meminfo:
        return next(int(line.split()[1]) * 1024 for line in meminfo if line.startswith("MemAvailable:"))


def measure(scratch: Path, args: argparse.Namespace) -> dict:
    """Run the job on the data directory generated in `scratch` and watch it; the figures for one table row."""
    data, home, warehouse = scratch / "data", scratch / "dagster_home", scratch / "warehouse"
    home.mkdir()
    shutil.copy(REPO / "dagster.yaml", home)
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "VIRTUAL_ENV": sys.prefix,
        "AIINFRA_WAREHOUSE_DIR": str(warehouse),
        "AIINFRA_DATA_DIR": str(data),
    }
    launch = [
        Path(sys.executable).parent / "dg",
        "launch",
        "--job",
        "daily_job",
        "--partition",
        time.strftime("%Y-%m-%d", time.gmtime()),
        "--config-json",
        json.dumps(INFO_LOGS),
    ]
    peak_temp = peak_warehouse = 0
    stopped = None
    with (scratch / "job.log").open("w") as log:
        start = time.perf_counter()
        # Own session, so a timeout ends the whole process group.
        proc = subprocess.Popen(launch, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)  # wait4: this child's own peak RSS
            if pid:
                break
            total, spilled = disk_bytes(warehouse)
            peak_warehouse, peak_temp = max(peak_warehouse, total), max(peak_temp, spilled)
            if stopped is None and time.perf_counter() - start > args.timeout:
                stopped = f"killed at --timeout {args.timeout:g} s"
            elif stopped is None and shutil.disk_usage(scratch).free < args.min_free_gb * 1024 * MB:
                stopped = f"killed: under --min-free-gb {args.min_free_gb:g} of disk free"
            elif stopped is None and available_memory() < args.min_memory_gb * 1024 * MB:
                stopped = f"killed: under --min-memory-gb {args.min_memory_gb:g} of memory available"
            if stopped:
                os.killpg(proc.pid, signal.SIGKILL)
            time.sleep(0.5)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4, so Popen must not wait again
    text = (scratch / "job.log").read_text(errors="replace")
    if stopped:
        result = stopped
    elif proc.returncode == 0:  # a job that read the bundled data instead would be timed in vain
        read = f"Read {args.prices} rows from {data / 'chip_prices.csv'}" in text
        result = "ok" if read else "ok, but not on the generated prices: see the log"
    elif proc.returncode < 0:  # not by this script: the kernel's out-of-memory killer, say
        result = f"killed by signal {-proc.returncode}"
    else:
        failed = sorted(set(re.findall(r" - (\S+) - STEP_FAILURE - ", text)))
        result = f"failed (exit {proc.returncode}): {', '.join(failed) or 'see the log'}"
    if proc.returncode:
        sys.stderr.write(f"--- last lines of {scratch / 'job.log'}:\n" + "\n".join(text.splitlines()[-30:]) + "\n")
    return {
        "wall": wall,
        "rss": usage.ru_maxrss * 1024,
        "temp": peak_temp,
        "warehouse": peak_warehouse,
        "result": result,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--flows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--sweep", action="store_true", help="flows 10,000, 100,000 and 1,000,000")
    parser.add_argument("--companies", type=int, default=10)
    parser.add_argument("--prices", type=int, default=10_000_000)
    parser.add_argument("--timeout", type=float, default=3600, help="seconds one job may run")
    parser.add_argument("--min-free-gb", type=float, default=5, help="stop a job leaving less disk free")
    parser.add_argument("--min-memory-gb", type=float, default=3, help="stop a job leaving less memory available")
    parser.add_argument("--scratch", type=Path, default=None, help="where the scratch directories go (TMPDIR)")
    parser.add_argument("--keep", action="store_true", help="keep each size's scratch directory")
    args = parser.parse_args()
    sizes = [10_000, 100_000, 1_000_000] if args.sweep else args.flows
    print(f"command: {shlex.join([Path(sys.executable).name, *sys.argv])}")
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 1024**3:.0f} GB, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}; "
        f"job run for {time.strftime('%Y-%m-%d', time.gmtime())}\n"
    )
    print(
        "| flows | companies | prices | generate (s) | job wall (s) | peak RSS (MB) | peak DuckDB temp (MB) "
        "| peak warehouse dir (MB) | result |"
    )
    print("|---|---|---|---|---|---|---|---|---|", flush=True)
    if args.scratch:
        Path(args.scratch).mkdir(parents=True, exist_ok=True)
    for flows in sizes:
        scratch = Path(tempfile.mkdtemp(prefix="aiinfra-scale-", dir=args.scratch))
        try:
            start = time.perf_counter()
            generate(scratch / "data", flows, args.companies, args.prices)
            generated = time.perf_counter() - start
            m = measure(scratch, args)
        finally:
            if not args.keep:
                shutil.rmtree(scratch)
        print(
            f"| {flows:,} | {args.companies} | {args.prices:,} | {generated:.1f} | {m['wall']:.1f} "
            f"| {m['rss'] / MB:,.0f} | {m['temp'] / MB:,.0f} | {m['warehouse'] / MB:,.0f} | {m['result']} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
