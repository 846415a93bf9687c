"""money_cycles on generated flow graphs of 1k, 10k and 100k flows, against networkx, for BENCHMARKS.md.

Each graph has one company per five flows, endpoints drawn at random (a sparse graph), and a
realistic mix of flow types, statuses, firmness and undisclosed amounts. The SQL side times sql/metrics/money_cycles.sql alone (both
scenarios) on an in-memory DuckDB; the networkx side times building both scenarios' graphs from the
same edges and `nx.simple_cycles(graph, length_bound=5)`. Both must find the same number of cycles.

    python benchmarks/bench_money_cycles.py [--runs 3] [--networkx-runs-at-100k 1]

networkx needs about half an hour at 100k flows on the 2-core machine, so by default it runs once there.
"""

import argparse
import os
import platform
import random
import statistics
import time

import duckdb
import networkx as nx
import pandas as pd

from pipelines.assets.sql_models import create_tables, load_models

MODELS = {m.name: m for m in load_models()}
TYPES = ["equity_investment"] * 3 + ["cloud_commitment"] * 4 + ["chip_purchase", "warrant", "other"]
STATUSES = ["announced"] * 8 + ["reported", "superseded", "cancelled"]


def generate(flows: int, seed: int = 7) -> pd.DataFrame:
    rng = random.Random(seed)
    companies = max(10, flows // 5)
    rows = []
    for i in range(flows):
        source, target = rng.randrange(companies), rng.randrange(companies)
        if source == target:
            target = (target + 1) % companies
        rows.append({"flow_id": f"f{i}", "from_company": f"c{source:06d}", "to_company": f"c{target:06d}",
                     "flow_type": rng.choice(TYPES), "status": rng.choice(STATUSES), "is_firm": rng.random() < 0.8,
                     "amount_usd": None if rng.random() < 0.2 else rng.randint(1, 100) * 1e8})
    return pd.DataFrame(rows)


def build(frame: pd.DataFrame) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    conn.register("generated", frame)
    conn.execute("""create table clean_deals as select flow_id, flow_id as deal_id, date '2025-01-01' as announced_on,
        'day' as date_precision, from_company, to_company, flow_type, amount_usd, 'total' as amount_basis,
        null::double as amount_low_usd, null::double as amount_high_usd, null::double as term_years, is_firm, status,
        null as superseded_by, null::double as compute_gw, null as chip_family, 'https://example.org' as source_url,
        '' as source_quote, null as primary_source_url, 'other' as source_tier, null::varchar[] as corroborating_urls,
        date '2025-01-01' as last_verified_on, '' as note from generated""")
    conn.execute("create table clean_deal_events (flow_id varchar, event_on date, date_precision varchar, "
                 "event varchar, source_url varchar, quote varchar)")
    create_tables(conn, list(MODELS.values()), ["scenario_flows"], "2026-01-01")
    return conn


def time_sql(conn) -> tuple[float, int]:
    start = time.perf_counter()
    conn.execute(MODELS["money_cycles"].create_statement())
    elapsed = time.perf_counter() - start
    return elapsed, conn.execute("select count(*) from money_cycles").fetchone()[0]


def time_networkx(conn) -> tuple[float, int]:
    edges = conn.execute("""select scenario, from_company, to_company from scenario_flows
        where flow_class in ('capital', 'spend_back') and amount_usd is not null
        group by all having sum(amount_usd) > 0""").fetchall()
    start = time.perf_counter()
    found = 0
    for scenario in ("headline", "firm"):
        graph = nx.DiGraph((u, v) for s, u, v in edges if s == scenario)
        found += sum(1 for _ in nx.simple_cycles(graph, length_bound=5))
    return time.perf_counter() - start, found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--networkx-runs-at-100k", type=int, default=1)
    args = parser.parse_args()
    runs = args.runs
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"DuckDB {duckdb.__version__}, networkx {nx.__version__}; median of {runs} runs "
          f"({args.networkx_runs_at_100k} for networkx at 100k)\n", flush=True)
    print("| flows | companies | cycles (both scenarios) | money_cycles.sql (s) | networkx (s) |")
    print("|---|---|---|---|---|")
    for flows in (1_000, 10_000, 100_000):
        conn = build(generate(flows))
        sql = [time_sql(conn) for _ in range(runs)]
        oracle = [time_networkx(conn) for _ in range(runs if flows < 100_000 else args.networkx_runs_at_100k)]
        assert sql[0][1] == oracle[0][1], (sql[0][1], oracle[0][1])
        print(f"| {flows:,} | {max(10, flows // 5):,} | {sql[0][1]:,} | {statistics.median(t for t, _ in sql):.2f} "
              f"| {statistics.median(t for t, _ in oracle):.2f} |", flush=True)


if __name__ == "__main__":
    main()
