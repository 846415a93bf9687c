"""Properties of the metric SQL on random flow graphs (hypothesis), with networkx as the cycle oracle.

The SQL files run on their own in an in-memory DuckDB: deal_flows is built from random flows, then
the model and metric files run and every metric check (sql/checks plus the cited-flows rule) must
find nothing; money_cycles must list exactly networkx's simple cycles of at most 5 hops.
"""

from datetime import date, timedelta
from decimal import Decimal

import duckdb
import networkx as nx
import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipelines.assets.sql_checks import CITED_FLOWS
from pipelines.assets.sql_models import SqlModel, create_tables, load_models
from pipelines.resources import SQL_DIR
from pipelines.validation import FLOW_TYPES

COMPANIES = ["amazon", "anthropic", "coreweave", "google", "microsoft", "nvidia", "openai"]
BIG_THREE = {"amazon", "google", "microsoft"}
MODELS = {m.name: m for m in load_models()}
DEAL_COLUMNS = ["flow_id", "deal_id", "announced_on", "date_precision", "from_company", "to_company", "flow_type",
                "amount_usd", "amount_basis", "amount_low_usd", "amount_high_usd", "term_years", "is_firm", "status",
                "superseded_by", "compute_gw", "chip_family", "source_url", "source_quote", "primary_source_url",
                "source_tier", "corroborating_urls", "last_verified_on", "note"]
METRICS = ["round_trips", "money_cycles", "company_exposure", "recycled_revenue", "provider_concentration",
           "deal_timeline"]
RULES = [SqlModel.from_file(p) for p in sorted((SQL_DIR / "checks").glob("*.sql"))]


@st.composite
def flows(draw):
    rows = []
    # Mostly counted, disclosed flows among few companies, so that most graphs have cycles.
    for i in range(draw(st.integers(0, 40))):
        source, target = draw(st.lists(st.sampled_from(COMPANIES), min_size=2, max_size=2, unique=True))
        rows.append({
            "flow_id": f"f{i:02d}", "deal_id": f"d{i:02d}",
            "announced_on": date(2023, 1, 1) + timedelta(days=draw(st.integers(0, 1000))), "date_precision": "day",
            "from_company": source, "to_company": target, "flow_type": draw(st.sampled_from(FLOW_TYPES)),
            "amount_usd": draw(st.integers(-1, 50).map(lambda n: None if n < 0 else n * 1e9)),
            "amount_basis": "total", "term_years": None, "is_firm": draw(st.booleans()),
            "status": draw(st.sampled_from(["announced"] * 4 + ["reported", "loi", "closed", "cancelled", "superseded"])),
            "superseded_by": None, "compute_gw": None, "chip_family": None, "source_url": "https://example.org",
            "source_quote": "", "note": "",
        })
    return rows


def warehouse(rows: list[dict]) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    sourcing = {"source_tier": "company", "last_verified_on": date(2026, 1, 1)}
    clean = pd.DataFrame([{**sourcing, **row} for row in rows], columns=DEAL_COLUMNS).astype(
        {"amount_usd": "float64", "amount_low_usd": "float64", "amount_high_usd": "float64",
         "term_years": "float64", "compute_gw": "float64", "is_firm": "bool"})
    conn.register("clean", clean)
    conn.execute("create table clean_deals as select * replace (announced_on::date as announced_on, "
                 "last_verified_on::date as last_verified_on, corroborating_urls::varchar[] as corroborating_urls) "
                 "from clean")
    conn.execute("create table clean_deal_events (flow_id varchar, event_on date, date_precision varchar, "
                 "event varchar, source_url varchar, quote varchar)")
    conn.execute("create table companies as select unnest(?) as company_id, unnest(?) as is_big_three",
                 [COMPANIES, [c in BIG_THREE for c in COMPANIES]])
    create_tables(conn, list(MODELS.values()), ["scenario_flows", "pair_flows", *METRICS], "2026-01-01")
    return conn


def flow(i: int, source: str, target: str, flow_type: str = "cloud_commitment", amount: float | None = 1e9,
         **changes) -> dict:
    return {"flow_id": f"x{i:02d}", "deal_id": "x", "announced_on": date(2025, 1, 1), "date_precision": "day",
            "from_company": source, "to_company": target, "flow_type": flow_type, "amount_usd": amount,
            "amount_basis": "total", "term_years": None, "is_firm": True, "status": "announced",
            "superseded_by": None, "compute_gw": None, "chip_family": None, "source_url": "https://example.org",
            "source_quote": "", "note": "", **changes}


# A 2-cycle, a 3-cycle, a 5-cycle, a 6-cycle (too long to list) and a superseded edge.
LOOPS = [flow(0, "amazon", "anthropic", "equity_investment", 8e9), flow(1, "anthropic", "amazon"),
         flow(2, "google", "anthropic", "equity_investment"), flow(3, "anthropic", "nvidia", "chip_purchase"),
         flow(4, "nvidia", "google", "cloud_commitment", 5e9),
         *[flow(10 + i, a, b) for i, (a, b) in enumerate(zip(COMPANIES[:5], COMPANIES[1:5] + COMPANIES[:1]))],
         *[flow(20 + i, a, b, amount=2e9) for i, (a, b) in enumerate(zip(COMPANIES[:6], COMPANIES[1:6] + COMPANIES[:1]))],
         flow(30, "openai", "microsoft", status="superseded")]


def oracle_cycles(rows: list[dict], scenario: str) -> set[tuple]:
    graph = nx.DiGraph()
    weights: dict[tuple, float] = {}
    for r in rows:
        counted = r["status"] not in ("cancelled", "superseded") and (
            scenario == "headline" or (r["is_firm"] and r["status"] in ("announced", "closed")))
        capital_or_spend = r["flow_type"] != "other"
        if counted and capital_or_spend and r["amount_usd"] is not None:
            key = (r["from_company"], r["to_company"])
            weights[key] = weights.get(key, 0) + r["amount_usd"]
    graph.add_edges_from(k for k, w in weights.items() if w > 0)
    found = set()
    for cycle in nx.simple_cycles(graph, length_bound=5):
        start = cycle.index(min(cycle))
        rotated = tuple(cycle[start:] + cycle[:start])
        found.add((rotated, Decimal(int(min(weights[(a, b)] for a, b in zip(rotated, rotated[1:] + rotated[:1]))))))
    return found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flows())
@example(LOOPS)
def test_metric_invariants_hold(rows):
    conn = warehouse(rows)
    for rule in RULES:
        assert conn.execute(f"select count(*) from ({rule.query})").fetchone()[0] == 0, rule.path.name
    for metric in METRICS:
        flows_column = "rows.flow_ids"
        offending = conn.execute(f"select count(*) from ({CITED_FLOWS.format(table=metric, flows=flows_column)})")
        assert offending.fetchone()[0] == 0, metric


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flows())
@example(LOOPS)
def test_money_cycles_match_networkx(rows):
    conn = warehouse(rows)
    for scenario in ("headline", "firm"):
        found = {(tuple(cycle), bottleneck) for cycle, bottleneck in conn.execute(
            "select cycle, bottleneck_usd from money_cycles where scenario = ?", [scenario]).fetchall()}
        assert found == oracle_cycles(rows, scenario)


def test_the_loops_example_has_the_cycles_it_is_meant_to_have():
    cycles = {c for c, _ in oracle_cycles(LOOPS, "headline")}
    assert ("amazon", "anthropic") in cycles and ("anthropic", "nvidia", "google") in cycles
    assert tuple(COMPANIES[:5]) in cycles and tuple(COMPANIES[:6]) not in cycles  # 6 hops: too long
    assert {(tuple(c), b) for c, b in warehouse(LOOPS).execute(
        "select cycle, bottleneck_usd from money_cycles where scenario = 'headline'").fetchall()} == oracle_cycles(
        LOOPS, "headline")
