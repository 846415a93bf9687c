"""Properties of the metric SQL on random flow graphs (hypothesis), with networkx as the cycle oracle.

The SQL files run on their own in an in-memory DuckDB: deal_flows is built from random flows, then
the model and metric files run and every metric check (sql/checks plus the cited-flows rule) must
find nothing; money_cycles must list networkx's simple cycles of at most 5 hops, all of them or the
max_cycles first, in its order. A complete graph of 25 companies, read from a deals file through the
pipeline's own validation, has 1,355,920 such cycles: money_cycles must stay within a time and memory bound.
"""

import csv
import itertools
import random
import time
from datetime import date, timedelta
from decimal import Decimal
from math import comb, factorial

import dagster as dg
import duckdb
import networkx as nx
import pandas as pd
from conftest import TODAY, Pipeline
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipelines.assets.ingest import SOURCES
from pipelines.assets.sql_checks import load_checks
from pipelines.sql_files import MAX_CYCLES, create_tables, load_models
from pipelines.validation import FLOW_TYPES

COMPANIES = ["amazon", "anthropic", "coreweave", "google", "microsoft", "nvidia", "openai"]
BIG_THREE = {"amazon", "google", "microsoft"}
MODELS = {m.name: m for m in load_models()}
DEAL_CSV_COLUMNS = next(source for source in SOURCES if source.name == "deals").required_columns
DEAL_COLUMNS = [*DEAL_CSV_COLUMNS, "date_precision"]  # clean_deals: the file's columns typed, and the date's precision
METRICS = [
    "round_trips",
    "money_edges",
    "money_cycles",
    "company_exposure",
    "recycled_revenue",
    "provider_concentration",
    "market_concentration",
    "deal_timeline",
]
CHECKS = [c for c in load_checks(list(MODELS.values())) if c.asset in METRICS]  # sql/checks and cited flows


def flow(
    i: int, source: str, target: str, flow_type: str = "cloud_commitment", amount: float | None = 1e9, **changes
) -> dict:
    return {
        "flow_id": f"x{i:02d}",
        "deal_id": "x",
        "announced_on": date(2025, 1, 1),
        "date_precision": "day",
        "from_company": source,
        "to_company": target,
        "flow_type": flow_type,
        "amount_usd": amount,
        "amount_basis": "total",
        "term_years": None,
        "is_firm": True,
        "status": "announced",
        "superseded_by": None,
        "compute_gw": None,
        "chip_family": None,
        "source_url": "https://example.org",
        "source_quote": "",
        "note": "",
        **changes,
    }


@st.composite
def flows(draw):
    rows = []
    # Mostly counted, disclosed flows among few companies, so that most graphs have cycles.
    for i in range(draw(st.integers(0, 40))):
        source, target = draw(st.lists(st.sampled_from(COMPANIES), min_size=2, max_size=2, unique=True))
        rows.append(
            flow(
                i,
                source,
                target,
                flow_type=draw(st.sampled_from(FLOW_TYPES)),
                amount=draw(st.integers(-1, 50).map(lambda n: None if n < 0 else n * 1e9)),
                flow_id=f"f{i:02d}",
                deal_id=f"d{i:02d}",
                announced_on=date(2023, 1, 1) + timedelta(days=draw(st.integers(0, 1000))),
                is_firm=draw(st.booleans()),
                status=draw(
                    st.sampled_from(["announced"] * 4 + ["reported", "loi", "closed", "cancelled", "superseded"])
                ),
            )
        )
    return rows


def warehouse(rows: list[dict], max_cycles: int = MAX_CYCLES) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    sourcing = {"source_tier": "company", "last_verified_on": date(2026, 1, 1)}
    clean = pd.DataFrame([{**sourcing, **row} for row in rows], columns=DEAL_COLUMNS).astype(
        {
            "amount_usd": "float64",
            "amount_low_usd": "float64",
            "amount_high_usd": "float64",
            "term_years": "float64",
            "compute_gw": "float64",
            "is_firm": "bool",
        }
    )
    conn.register("clean", clean)
    conn.execute(
        "create table clean_deals as select * replace (announced_on::date as announced_on, "
        "last_verified_on::date as last_verified_on, corroborating_urls::varchar[] as corroborating_urls) "
        "from clean"
    )
    conn.execute(
        "create table clean_deal_events (flow_id varchar, event_on date, date_precision varchar, "
        "event varchar, source_url varchar, quote varchar)"
    )
    conn.execute(
        "create table companies as select unnest(?) as company_id, unnest(?) as is_big_three",
        [COMPANIES, [c in BIG_THREE for c in COMPANIES]],
    )
    create_tables(conn, list(MODELS.values()), ["scenario_flows", "pair_flows", *METRICS], "2026-01-01", max_cycles)
    return conn


# A 2-cycle, a 3-cycle, a 5-cycle, a 6-cycle (too long to list) and a superseded edge.
LOOPS = [
    flow(0, "amazon", "anthropic", "equity_investment", 8e9),
    flow(1, "anthropic", "amazon"),
    flow(2, "google", "anthropic", "equity_investment"),
    flow(3, "anthropic", "nvidia", "chip_purchase"),
    flow(4, "nvidia", "google", "cloud_commitment", 5e9),
    *[flow(10 + i, a, b) for i, (a, b) in enumerate(zip(COMPANIES[:5], COMPANIES[1:5] + COMPANIES[:1], strict=True))],
    *[
        flow(20 + i, a, b, amount=2e9)
        for i, (a, b) in enumerate(zip(COMPANIES[:6], COMPANIES[1:6] + COMPANIES[:1], strict=True))
    ],
    flow(30, "openai", "microsoft", status="superseded"),
]


def oracle_cycles(rows: list[dict], scenario: str) -> list[tuple]:
    """networkx's simple cycles of at most 5 hops as (cycle from its smallest id, bottleneck, bottleneck
    edge's rank), in money_cycles' order: edges ranked heaviest first, equal weights by (source, target);
    a cycle's bottleneck edge is its lowest-ranked edge; cycles by that rank, then by their companies
    from the bottleneck edge on."""
    weights: dict[tuple, float] = {}
    for r in rows:
        counted = r["status"] not in ("cancelled", "superseded") and (
            scenario == "headline" or (r["is_firm"] and r["status"] in ("announced", "closed"))
        )
        capital_or_spend = r["flow_type"] != "other"
        if counted and capital_or_spend and r["amount_usd"] is not None:
            key = (r["from_company"], r["to_company"])
            weights[key] = weights.get(key, 0) + r["amount_usd"]
    weights = {edge: w for edge, w in weights.items() if w > 0}
    rank = {edge: i for i, edge in enumerate(sorted(weights, key=lambda e: (-weights[e], e)), start=1)}
    ranked = []
    for cycle in nx.simple_cycles(nx.DiGraph(list(weights)), length_bound=5):
        bottleneck = max(zip(cycle, cycle[1:] + cycle[:1], strict=True), key=rank.get)
        from_bottleneck = cycle.index(bottleneck[0])
        from_smallest = cycle.index(min(cycle))
        ranked.append(
            (
                (rank[bottleneck], tuple(cycle[from_bottleneck:] + cycle[:from_bottleneck])),
                (
                    tuple(cycle[from_smallest:] + cycle[:from_smallest]),
                    Decimal(int(weights[bottleneck])),
                    rank[bottleneck],
                ),
            )
        )
    return [cycle for _, cycle in sorted(ranked)]


def listed_cycles(conn, scenario: str) -> list[tuple]:
    return [
        (tuple(cycle), bottleneck, rank)
        for cycle, bottleneck, rank in conn.execute(
            "select cycle, bottleneck_usd, bottleneck_edge_rank from money_cycles "
            "where scenario = ? order by cycle_rank",
            [scenario],
        ).fetchall()
    ]


def assert_no_check_fails(conn):
    for check in CHECKS:
        assert check.evaluate(conn).passed, f"{check.asset}.{check.name}"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flows())
@example(LOOPS)
def test_metric_invariants_hold(rows):
    assert_no_check_fails(warehouse(rows))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flows())
@example(LOOPS)
def test_money_cycles_match_networkx(rows):
    conn = warehouse(rows)
    for scenario in ("headline", "firm"):
        oracle = oracle_cycles(rows, scenario)
        assert listed_cycles(conn, scenario) == oracle
        assert conn.execute(
            "select distinct cycles_in_scenario, cycles_counted_up_to from money_cycles where scenario = ?", [scenario]
        ).fetchall() == ([(len(oracle), None)] if oracle else [])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flows(), st.integers(1, 12))
@example(LOOPS, 2)
def test_money_cycles_bounded_by_max_cycles_are_networkx_first(rows, max_cycles):
    """The max_cycles first of networkx's cycles in money_cycles' order. The count is all of them when the
    search went through every edge (always when there are fewer than max_cycles); otherwise it stopped
    after a bottleneck rank, having found at least max_cycles: all the cycles down to that rank."""
    conn = warehouse(rows, max_cycles)
    assert_no_check_fails(conn)
    for scenario in ("headline", "firm"):
        oracle = oracle_cycles(rows, scenario)
        assert listed_cycles(conn, scenario) == oracle[:max_cycles]
        counts = conn.execute(
            "select distinct cycles_in_scenario, cycles_counted_up_to from money_cycles where scenario = ?", [scenario]
        ).fetchall()
        if len(oracle) < max_cycles:
            assert counts == ([(len(oracle), None)] if oracle else [])
        else:
            [counted] = counts
            down_to_a_rank = {
                i for i, (_, _, rank) in enumerate(oracle, start=1) if i == len(oracle) or oracle[i][2] > rank
            }
            assert counted == (len(oracle), None) or (
                counted[0] is None and counted[1] >= max_cycles and counted[1] in down_to_a_rank
            )


def test_the_loops_example_has_the_cycles_it_is_meant_to_have():
    cycles = {c for c, _, _ in oracle_cycles(LOOPS, "headline")}
    assert ("amazon", "anthropic") in cycles and ("anthropic", "nvidia", "google") in cycles
    assert tuple(COMPANIES[:5]) in cycles and tuple(COMPANIES[:6]) not in cycles  # 6 hops: too long
    assert listed_cycles(warehouse(LOOPS), "headline") == oracle_cycles(LOOPS, "headline")


# --- a complete graph: every ordered pair of 25 companies deals once --------------------------------

# simple cycles of 2 to 5 hops in a complete directed graph of 25 nodes: choose the companies, then
# arrange them in a loop
COMPLETE_25_CYCLES = sum(comb(25, hops) * factorial(hops - 1) for hops in range(2, 6))


def write_complete_graph(data_dir) -> dict[tuple, int]:
    """companies.csv with 25 companies and deals.csv with one flow for every ordered pair (600), in the
    pipeline's deals format; distinct amounts ($1,000M to $1,599M, shuffled). Returns the weights."""
    data_dir.mkdir()
    companies = [f"co{i:02d}" for i in range(25)]
    with (data_dir / "companies.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["company_id", "name", "kind", "is_big_three", "aliases", "cik"])
        writer.writerows([c, f"Company {c}", "other", "false", "", ""] for c in companies)
    pairs = list(itertools.permutations(companies, 2))
    millions = list(range(1000, 1000 + len(pairs)))
    random.Random(25).shuffle(millions)
    with (data_dir / "deals.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, DEAL_CSV_COLUMNS, restval="")
        writer.writeheader()
        for i, ((source, target), amount) in enumerate(zip(pairs, millions, strict=True)):
            url = f"https://example.org/d{i}"
            writer.writerow(
                {
                    "flow_id": f"d{i:03d}",
                    "deal_id": f"d{i:03d}",
                    "announced_on": "2025-01-01",
                    "from_company": source,
                    "to_company": target,
                    "flow_type": "equity_investment" if source < target else "cloud_commitment",
                    "amount_usd": amount * 10**6,
                    "amount_basis": "total",
                    "is_firm": "true",
                    "status": "announced",
                    "source_url": url,
                    "source_quote": "Synthetic.",
                    "primary_source_url": url,
                    "source_tier": "company",
                    "last_verified_on": "2025-06-01",
                }
            )
    return {pair: amount * 10**6 for pair, amount in zip(pairs, millions, strict=True)}


def test_money_cycles_of_a_complete_graph_of_25_companies_stay_bounded(tmp_path):
    data = tmp_path / "data"
    weights = write_complete_graph(data)
    pipeline = Pipeline(
        tmp_path / "warehouse",
        data_dir=data,
        deals_source=str(data / "deals.csv"),
        deal_events_source="",
        price_sources=[],
    )
    read_and_validated = [
        dg.AssetKey(f"{stage}_{source}")
        for stage in ("raw", "clean", "quarantined")
        for source in ("companies", "deals", "deal_events")
    ]
    with dg.instance_for_test() as instance:  # the deals file read and validated as a run reads it
        result = (
            pipeline.defs()
            .resolve_job_def("daily_job")
            .execute_in_process(instance=instance, partition_key=TODAY, asset_selection=read_and_validated)
        )
    assert result.success

    with duckdb.connect(str(pipeline.settings.warehouse_db), config={"memory_limit": "1GB"}) as conn:
        start = time.monotonic()
        create_tables(conn, list(MODELS.values()), ["money_cycles"], TODAY, MAX_CYCLES)
        elapsed = time.monotonic() - start
        counts = conn.execute(
            "select scenario, count(*), any_value(cycles_in_scenario), "
            "any_value(cycles_counted_up_to), min(bottleneck_usd) "
            "from money_cycles group by all order by all"
        ).fetchall()
        listed = {
            tuple(c) for (c,) in conn.execute("select cycle from money_cycles where scenario = 'headline'").fetchall()
        }
        edges = conn.execute("select scenario, count(*) from money_edges group by all order by all").fetchall()
    assert elapsed < 60
    assert edges == [("firm", 600), ("headline", 600)]  # every flow passed validation

    # Every flow is firm and announced: both scenarios are the whole graph. 10,000 of its 1,355,920
    # cycles listed; the search stopped having found at least as many, and not all.
    assert [row[:3] for row in counts] == [("firm", MAX_CYCLES, None), ("headline", MAX_CYCLES, None)]
    [(*_, counted_up_to, lowest)] = counts[1:]
    assert MAX_CYCLES <= counted_up_to < COMPLETE_25_CYCLES == 1_355_920

    # networkx on the edges of at least the lowest bottleneck listed (amounts are distinct, so ties are
    # of one bottleneck edge only): every cycle above it is listed, and nothing below it.
    def cycles_above(floor):
        graph = nx.DiGraph([edge for edge, weight in weights.items() if weight >= floor])
        return {min(tuple(c[i:] + c[:i]) for i in range(len(c))) for c in nx.simple_cycles(graph, length_bound=5)}

    assert cycles_above(lowest + 1) <= listed <= cycles_above(lowest)
