"""money_cycles on generated flow graphs, sparse and dense, against networkx, for BENCHMARKS.md.

Sparse: 1k, 10k and 100k flows, one company per five flows, endpoints drawn at random, and a realistic
mix of flow types, statuses, firmness and undisclosed amounts. Dense: a complete graph of 25 companies
(one flow for every ordered pair: 600 flows, 1,355,920 cycles per scenario), and 10 companies with many
parallel flows per ordered pair (every pair an edge, 7,593 cycles per scenario, each edge citing many
flows). The SQL side times sql/metrics/money_cycles.sql alone (both scenarios, money_edges built
beforehand) on an in-memory DuckDB with AIINFRA_MAX_CYCLES at its default, and reports DuckDB's peak
buffer memory; the networkx side times building both scenarios' graphs from money_edges and
enumerating all of `nx.simple_cycles(graph, length_bound=5)`. Where money_cycles counted every cycle
both must find the same number; where its search stopped at max_cycles, networkx must find at least as
many as it counted.

    python benchmarks/bench_money_cycles.py [--runs 3] [--networkx-runs-at-100k 1]

networkx needs about half an hour at 100k flows on the 2-core machine, so by default it runs once there
(0: not at all).
"""

import argparse
import itertools
import json
import os
import platform
import random
import statistics
import tempfile
import time
from pathlib import Path

import duckdb
import networkx as nx
import pandas as pd

from pipelines.sql_files import MAX_CYCLES, create_tables, load_models

MODELS = {m.name: m for m in load_models()}
TYPES = ["equity_investment"] * 3 + ["cloud_commitment"] * 4 + ["chip_purchase", "warrant", "other"]
STATUSES = ["announced"] * 8 + ["reported", "superseded", "cancelled"]


def flow(i: int, source: int, target: int, flow_type: str, status: str, is_firm: bool, amount: float | None) -> dict:
    return {
        "flow_id": f"f{i}",
        "from_company": f"c{source:06d}",
        "to_company": f"c{target:06d}",
        "flow_type": flow_type,
        "status": status,
        "is_firm": is_firm,
        "amount_usd": amount,
    }


def sparse(flows: int, seed: int = 7) -> pd.DataFrame:
    rng = random.Random(seed)
    companies = max(10, flows // 5)
    rows = []
    for i in range(flows):
        source, target = rng.randrange(companies), rng.randrange(companies)
        if source == target:
            target = (target + 1) % companies
        rows.append(
            flow(
                i,
                source,
                target,
                rng.choice(TYPES),
                rng.choice(STATUSES),
                rng.random() < 0.8,
                None if rng.random() < 0.2 else rng.randint(1, 100) * 1e8,
            )
        )
    return pd.DataFrame(rows)


def dense(companies: int, flows_per_pair: int, seed: int = 7) -> pd.DataFrame:
    """`flows_per_pair` flows for every ordered pair of `companies`: all counted, most firm, disclosed."""
    rng = random.Random(seed)
    pairs = itertools.permutations(range(companies), 2)
    return pd.DataFrame(
        [
            flow(
                i,
                source,
                target,
                rng.choice(["equity_investment", "cloud_commitment"]),
                "announced",
                rng.random() < 0.8,
                rng.randint(1, 100_000) * 1e5,
            )
            for i, (source, target) in enumerate(p for p in pairs for _ in range(flows_per_pair))
        ]
    )


def build(frame: pd.DataFrame) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    conn.register("generated", frame)
    conn.execute("""create table clean_deals as select flow_id, flow_id as deal_id, date '2025-01-01' as announced_on,
        'day' as date_precision, from_company, to_company, flow_type, amount_usd, 'total' as amount_basis,
        null::double as amount_low_usd, null::double as amount_high_usd, null::double as term_years, is_firm, status,
        null as superseded_by, null::double as compute_gw, null as chip_family, 'https://example.org' as source_url,
        '' as source_quote, null as primary_source_url, 'other' as source_tier, null::varchar[] as corroborating_urls,
        date '2025-01-01' as last_verified_on, '' as note from generated""")
    conn.execute(
        "create table clean_deal_events (flow_id varchar, event_on date, date_precision varchar, "
        "event varchar, source_url varchar, quote varchar)"
    )
    create_tables(conn, list(MODELS.values()), ["money_edges"], "2026-01-01", MAX_CYCLES)
    return conn


def time_sql(conn) -> tuple[float, float, dict[str, tuple]]:
    """Seconds, DuckDB's peak buffer memory (MB) and per scenario (cycles listed, cycles_in_scenario,
    cycles_counted_up_to)."""
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile.json"
        conn.execute("pragma enable_profiling = 'json'")
        conn.execute(f"pragma profiling_output = '{profile}'")
        start = time.perf_counter()
        conn.execute(MODELS["money_cycles"].create_statement())
        elapsed = time.perf_counter() - start
        conn.execute("pragma disable_profiling")
        peak_mb = json.loads(profile.read_text())["system"]["peak_buffer_memory"] / 1e6
    found = conn.execute(
        "select scenario, count(*), any_value(cycles_in_scenario), any_value(cycles_counted_up_to) "
        "from money_cycles group by scenario"
    ).fetchall()
    return elapsed, peak_mb, {scenario: counts for scenario, *counts in found}


def time_networkx(conn) -> tuple[float, dict[str, int]]:
    edges = conn.execute("select scenario, source, target from money_edges").fetchall()
    start = time.perf_counter()
    found = {}
    for scenario in ("headline", "firm"):
        graph = nx.DiGraph((u, v) for s, u, v in edges if s == scenario)
        found[scenario] = sum(1 for _ in nx.simple_cycles(graph, length_bound=5))
    return time.perf_counter() - start, found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--networkx-runs-at-100k", type=int, default=1)
    args = parser.parse_args()
    runs = args.runs
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, networkx {nx.__version__}; median of {runs} runs "
        f"({args.networkx_runs_at_100k} for networkx at 100k); max_cycles {MAX_CYCLES:,}\n",
        flush=True,
    )
    print(
        "| graph | flows | companies | edges (both scenarios) | cycles (networkx, both scenarios) | listed "
        "| counted | money_cycles.sql (s) | peak DuckDB memory (MB) | networkx (s) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    graphs = [
        ("sparse", sparse(n), max(10, n // 5), runs if n < 100_000 else args.networkx_runs_at_100k)
        for n in (1_000, 10_000, 100_000)
    ]
    graphs += [
        ("complete", dense(25, 1), 25, runs),
        ("10 companies, 20 flows per pair", dense(10, 20), 10, runs),
        ("10 companies, 100 flows per pair", dense(10, 100), 10, runs),
    ]
    for name, frame, companies, oracle_runs in graphs:
        conn = build(frame)
        sql = [time_sql(conn) for _ in range(runs)]
        oracle = [time_networkx(conn) for _ in range(oracle_runs)]
        found = sql[0][2]
        cycles = oracle[0][1] if oracle else None  # --networkx-runs-at-100k 0 leaves networkx out there
        for scenario, (_, all_cycles, counted_up_to) in found.items():  # all counted, or stopped past max_cycles
            assert cycles is None or (
                all_cycles == cycles[scenario]
                if counted_up_to is None
                else MAX_CYCLES <= counted_up_to <= cycles[scenario]
            ), (scenario, found, cycles)
        listed = sum(n for n, _, _ in found.values())
        counted = sum(all_cycles or counted_up_to for _, all_cycles, counted_up_to in found.values())
        stopped = " (search stopped)" if any(counted_up_to for _, _, counted_up_to in found.values()) else " (all)"
        [(edges,)] = conn.execute("select count(*) from money_edges").fetchall()
        print(
            f"| {name} | {len(frame):,} | {companies:,} | {edges:,} "
            f"| {'–' if cycles is None else f'{sum(cycles.values()):,}'} | {listed:,} | {counted:,}{stopped} "
            f"| {statistics.median(t for t, _, _ in sql):.2f} | {max(m for _, m, _ in sql):.0f} "
            f"| {'–' if cycles is None else f'{statistics.median(t for t, _ in oracle):.2f}'} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
