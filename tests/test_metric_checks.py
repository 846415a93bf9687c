"""The metric checks pass on a correct run and catch a wrong table (each one shown failing)."""

import shutil

import dagster as dg
import duckdb
import pytest
from conftest import SMALL, Pipeline, failed_steps
from dagster_duckdb import DuckDBResource

from pipelines.assets.sql_checks import load_checks
from pipelines.definitions import build_defs
from pipelines.sql_files import load_models

CHECKS = {f"{c.asset}.{c.name}": c for c in load_checks(load_models())}


@pytest.fixture
def warehouse(small, tmp_path):
    """A copy of a correct run's warehouse, for one test to break."""
    copy = tmp_path / "ai_infra.duckdb"
    shutil.copy(small.settings.warehouse_db, copy)
    return copy


def run_check(warehouse, name: str):
    with duckdb.connect(str(warehouse)) as conn:
        return CHECKS[name].evaluate(conn)


# (check, a statement that makes the table wrong in the way the check is for)
BREAKAGES = [
    ("round_trips.circular_within_both_sides", "update round_trips set circular_usd = capital_usd + 1"),
    (
        "round_trips.cites_only_counted_flows",
        "update round_trips set flow_ids = list_append(flow_ids, 'f4')",
    ),  # f4 is superseded
    (
        "recycled_revenue.share_in_unit_interval",
        "update recycled_revenue set self_financed_usd = inbound_spend_usd * 2",
    ),
    ("provider_concentration.shares_and_hhi_in_range", "update provider_concentration set hhi = hhi + 1"),
    (
        "market_concentration.pools_every_buyer",  # a pooled row that counts a buyer twice, as the 'ALL' row could
        "update market_concentration set spend_usd = spend_usd * 2",
    ),
    ("market_concentration.pools_every_buyer", "update market_concentration set hhi = hhi - 1"),
    (
        "market_concentration.cites_only_counted_flows",
        "update market_concentration set flow_ids = list_append(flow_ids, 'f4')",
    ),
    (
        "money_edges.weights_are_their_flows",  # f5 is undisclosed: it has no weight to give
        "update money_edges set flow_ids = list_append(flow_ids, 'f5') where source = 'alpha' and target = 'bigcloud'",
    ),
    (
        "money_edges.cites_only_counted_flows",
        "update money_edges set flow_ids = list_append(flow_ids, 'f2') where scenario = 'firm'",
    ),  # f2 is an option
    (
        "money_cycles.listed_once_in_canonical_rotation",  # the 3-cycle walked backwards starts at its largest id
        "insert into money_cycles select * replace (list_reverse(cycle) as cycle) from money_cycles where hops = 3",
    ),
    ("money_cycles.hops_are_edges", "update money_cycles set cycle = ['alpha', 'neo'], hops = 2 where hops = 3"),
    (
        "money_cycles.hops_are_edges",  # the 2-cycle's lightest edge is rank 2 (bigcloud -> alpha)
        "update money_cycles set bottleneck_edge_rank = 1 where hops = 2",
    ),
    (
        "money_cycles.ranked_largest_bottleneck_first",  # the 3-cycle (bottleneck 3) ahead of the 2-cycle
        "update money_cycles set cycle_rank = 3 - cycle_rank",
    ),
    ("money_cycles.counted_at_least_listed", "update money_cycles set cycles_in_scenario = 1"),  # 2 listed
    ("company_exposure.inflow_equals_outflow", "delete from company_exposure where company_id = 'fund'"),
    ("compute_equivalents.cites_only_counted_flows", "update compute_equivalents set flow_id = 'f10'"),
    ("deal_timeline.cites_only_counted_flows", "update deal_timeline set flow_ids = ['f10']"),
    (
        "backlog_coverage.cites_only_counted_flows",  # f3 stands from 2025-06-01 on, not on 2025-05-31
        "insert into backlog_coverage by name select 'headline' as scenario, 'bigcloud' as vendor, "
        "date '2025-05-31' as period_end, 1e11 as rpo_usd, 4e10 as committed_usd, ['f3'] as flow_ids",
    ),
]


def test_every_check_runs_in_the_daily_job(small):
    """And passes on a correct run: the shared run `small` asserts that none of its check results failed."""
    job = small.defs().resolve_job_def("daily_job")
    in_job = {f"{key.asset_key.to_user_string()}.{key.name}" for key in job.asset_layer.asset_graph.asset_check_keys}
    assert set(CHECKS) <= in_job


def test_every_metric_check_is_exercised():
    assert {name for name, _ in BREAKAGES} | {
        "recycled_revenue.cites_only_counted_flows",
        "provider_concentration.cites_only_counted_flows",
        "company_exposure.cites_only_counted_flows",
    } == set(CHECKS)


@pytest.mark.parametrize(("check", "breakage"), BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_check_catches_a_wrong_table(warehouse, check, breakage):
    assert run_check(warehouse, check).passed
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute(breakage)
    result = run_check(warehouse, check)
    assert not result.passed and result.metadata["offending_rows"].value > 0


def test_a_failing_check_fails_the_sql_step_in_a_run(warehouse, tmp_path):
    """The checks run in the SQL layer's step; selected on their own they read the tables as they are. A
    failed one fails that step (they all block), naming the check, and the other selected checks still report."""
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("delete from company_exposure where company_id = 'fund'")
    settings = Pipeline(tmp_path / "unused", data_dir=SMALL, price_sources=[]).settings
    sql_layer = next(a for a in build_defs({"settings": settings}).assets if a.node_def.name == "sql_layer")
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [sql_layer],
            instance=instance,
            raise_on_error=False,
            resources={"settings": settings, "duckdb": DuckDBResource(database=str(warehouse))},
            selection=dg.AssetSelection.checks(
                dg.AssetCheckKey(dg.AssetKey("company_exposure"), "inflow_equals_outflow"),
                dg.AssetCheckKey(dg.AssetKey("round_trips"), "circular_within_both_sides"),
            ),
        )
    assert not result.success and failed_steps(result) == ["sql_layer"]
    outcomes = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert outcomes == {"inflow_equals_outflow": False, "circular_within_both_sides": True}
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert "company_exposure: inflow_equals_outflow" in failure.event_specific_data.error.message
