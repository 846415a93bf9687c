"""Streaming an AWS offer file vs `json.load`: wall time and peak RSS, for BENCHMARKS.md.

Generates a >= 400 MB offer file in the real structure (benchmarks/gen_aws_offer.py), then, in a
fresh process each time, parses it with the pipeline's streaming parser (pipelines/prices/aws.py)
and with a plain `json.load`. Reports the median of --runs runs of each.

    python benchmarks/bench_aws_stream.py [--mb 420] [--runs 3]
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

STREAM = """
import resource, sys, time
from pipelines.prices.accelerators import AcceleratorMap
from pipelines.prices.aws import parse_offer
accelerators = AcceleratorMap.from_csv("data/accelerators.csv")
start = time.perf_counter()
with open(sys.argv[1], "rb") as f:
    rows = len(parse_offer(f, "file", accelerators, "aws", "2026-11-20").rows)
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, rows)
"""
LOAD = """
import json, resource, sys, time
start = time.perf_counter()
with open(sys.argv[1]) as f:
    rows = len(json.load(f)["products"])
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, rows)
"""


def measure(code: str, path: Path) -> tuple[float, float, int]:
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout.split()
    return float(out[0]), float(out[1]), int(out[2])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=420)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aiinfra-aws-") as scratch:
        path = Path(scratch) / "index.json"
        subprocess.run(
            [sys.executable, REPO / "benchmarks" / "gen_aws_offer.py", path, "--mb", str(args.mb)], check=True
        )
        size_mb = path.stat().st_size / 1024 / 1024
        results = {
            name: [measure(code, path) for _ in range(args.runs)]
            for name, code in (("streaming parser (pipelines/prices/aws.py)", STREAM), ("json.load", LOAD))
        }
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"offer file: {size_mb:.0f} MB generated; {args.runs} runs each, medians\n")
    print("| parser | wall (s) | peak RSS (MB) | result |")
    print("|---|---|---|---|")
    for name, runs in results.items():
        wall = statistics.median(r[0] for r in runs)
        rss = statistics.median(r[1] for r in runs)
        what = "price rows kept" if "stream" in name else "products loaded"
        print(f"| {name} | {wall:.1f} | {rss:.0f} | {runs[0][2]} {what} |")


if __name__ == "__main__":
    main()
