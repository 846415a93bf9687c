"""The code location: the asset graph (snapshot), metadata every asset carries, the schedule, the instance."""

import os
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import yaml

from pipelines.definitions import build_defs
from pipelines.schedules import daily_refresh

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.txt"
REPO = Path(__file__).parent.parent
GROUP_ORDER = ["ingest", "validate", "model", "metrics", "publish"]


def asset_graph_lines(defs: dg.Definitions) -> list[str]:
    graph = defs.resolve_asset_graph()
    lines = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        parents = ", ".join(sorted(p.to_user_string() for p in node.parent_keys))
        lines.append(f"{key.to_user_string()} [{node.group_name}] <- {parents}")
    return lines


def test_asset_graph_matches_snapshot():
    """A lineage change must be deliberate: regenerate with UPDATE_SNAPSHOTS=1 and review the diff."""
    lines = asset_graph_lines(build_defs())
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text("\n".join(lines) + "\n")
    assert lines == SNAPSHOT.read_text().splitlines()


def test_lineage_flows_ingest_to_publish():
    graph = build_defs().resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        for parent in node.parent_keys:
            assert GROUP_ORDER.index(graph.get(parent).group_name) <= GROUP_ORDER.index(node.group_name), (parent, key)
    assert {graph.get(k).group_name for k in graph.get_all_asset_keys()} == set(GROUP_ORDER)


def test_every_asset_is_described_grouped_owned_and_in_the_duckdb_pool():
    defs = build_defs()
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.description and node.kinds and node.owners == ["team:data"], key
        # every step opens the warehouse, so queues in pool duckdb (the report is written by the publish step)
        assert node.pools == {"duckdb"}, key
    # each check runs in its asset's step (no step of its own), so in that step's pool
    assert graph.asset_check_keys and not defs.asset_checks
    for check in graph.asset_check_keys:
        assert graph.get(check.asset_key).pools == {"duckdb"}, check


def test_daily_refresh_runs_the_whole_job_for_today_at_six_utc_by_default():
    assert daily_refresh.cron_schedule == "0 6 * * *"
    assert daily_refresh.execution_timezone == "UTC"
    assert daily_refresh.default_status == dg.DefaultScheduleStatus.RUNNING
    assert daily_refresh.job_name == "daily_job"
    defs = build_defs()
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 3, 2, 6, tzinfo=UTC), repository_def=defs.get_repository_def()
    )
    [request] = daily_refresh.evaluate_tick(context).run_requests
    assert request.partition_key == "2026-03-02"  # prices are recorded under the day they are fetched
    job = defs.resolve_job_def("daily_job")
    # every asset, in a few steps: the sources, the price source, the filing sources, a validation per source,
    # the SQL layer, publishing
    assert sorted(n.name for n in job.graph.node_defs) == [
        "clean_assumptions",
        "clean_chip_prices",
        "clean_chip_specs",
        "clean_companies",
        "clean_company_facts",
        "clean_deal_events",
        "clean_deals",
        "clean_filings",
        "clean_press_releases",
        "clean_price_observations",
        "press_releases",
        "publish",
        "raw_sources",
        "sec_company_facts",
        "sec_filings",
        "snapshot_prices",
        "sql_layer",
    ]


def test_instance_serialises_warehouse_writers_and_has_telemetry_off():
    config = yaml.safe_load((REPO / "dagster.yaml").read_text())
    assert config["telemetry"]["enabled"] is False
    assert config["concurrency"]["pools"]["default_limit"] == 1
    # with the daemon up, runs that never start or never end are ended, and ended runs' slots freed
    assert config["run_monitoring"] == {
        "enabled": True,
        "start_timeout_seconds": 180,
        "max_runtime_seconds": 7200,
        "free_slots_after_run_end_seconds": 60,
    }
    dg.Definitions.validate_loadable(build_defs())  # raises what a code location would fail to load on


def test_deals_sensor_runs_today_when_the_file_changes(tmp_path):
    from pipelines.resources import PipelineSettings
    from pipelines.sensors import deals_file_changed

    deals = tmp_path / "deals.csv"
    deals.write_text("flow_id\nf1\n")
    settings = PipelineSettings(warehouse_dir=str(tmp_path), deals_source=str(deals))

    repository = build_defs().get_repository_def()

    def tick(cursor):
        context = dg.build_sensor_context(cursor=cursor, resources={"settings": settings}, repository_def=repository)
        return deals_file_changed.evaluate_tick(context), context.cursor

    first, cursor = tick(None)
    assert not first.run_requests and "watching" in first.skip_message  # starts watching, no run
    unchanged, same = tick(cursor)
    assert not unchanged.run_requests and same == cursor
    deals.write_text("flow_id\nf1\nf2\n")
    changed, new_cursor = tick(cursor)
    [request] = changed.run_requests
    assert new_cursor != cursor and request.partition_key == datetime.now(UTC).date().isoformat()
    assert deals_file_changed.default_status == dg.DefaultSensorStatus.RUNNING


def test_column_lineage_of_the_plain_sql_models():
    graph = build_defs().resolve_asset_graph()
    lineage = graph.get(dg.AssetKey("deal_flow_terms")).metadata["dagster/column_lineage"].deps_by_column
    assert {(d.asset_key.to_user_string(), d.column_name) for d in lineage["amount_usd"]} == {
        ("clean_deals", "amount_basis"),
        ("clean_deals", "amount_usd"),
        ("clean_deals", "term_years"),
    }
    assert [d.column_name for d in lineage["flow_class"]] == ["flow_type"]
    # a metric built from CTEs and joins, or a table read from a macro, has no lineage claimed rather than a wrong one
    assert "dagster/column_lineage" not in graph.get(dg.AssetKey("round_trips")).metadata
    assert "dagster/column_lineage" not in graph.get(dg.AssetKey("deal_flows")).metadata
