"""The code location: every asset, check, job, schedule and resource, assembled in one place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg

from pipelines.assets.filings import build_filing_assets
from pipelines.assets.ingest import raw_sources
from pipelines.assets.prices import build_price_asset
from pipelines.assets.publish import build_publish_asset
from pipelines.assets.sql_checks import load_checks
from pipelines.assets.sql_models import build_sql_layer
from pipelines.assets.validate import build_validations
from pipelines.filings.sources import FILING_SOURCES, FilingSource
from pipelines.freshness import published_freshness
from pipelines.prices.sources import PRICE_SOURCES, PriceSource
from pipelines.resources import build_resources
from pipelines.schedules import build_price_history_job, daily_job, daily_refresh
from pipelines.sensors import dead_runs, deals_file_changed, run_failed_alert
from pipelines.sql_files import load_models

OWNERS = ["team:data"]
PUBLISHED_GROUPS = ("model", "metrics", "publish")  # what analysts read


def shared_attributes(spec: dg.AssetSpec) -> dg.AssetSpec:
    """What every asset has in common, set here once: its owners and, for what is published, how fresh it
    must be. (The `duckdb` pool of every step that touches the warehouse is runs.POOL, in each decorator.)"""
    published = spec.group_name in PUBLISHED_GROUPS
    return spec.replace_attributes(
        owners=OWNERS, freshness_policy=published_freshness if published else spec.freshness_policy
    )


def build_defs(
    resources: Mapping[str, Any] | None = None,
    price_sources: Mapping[str, PriceSource] = PRICE_SOURCES,
    filing_sources: Mapping[str, FilingSource] = FILING_SOURCES,
) -> dg.Definitions:
    """All definitions; tests pass their own resources instead of the ones from AIINFRA_* settings, and may
    pass registries of price and filing sources with sources of their own."""
    resources = dict(resources) if resources is not None else dict(build_resources())
    settings = resources["settings"]
    for kind, in_use, registry in (
        ("price", settings.price_sources, price_sources),
        ("filing", settings.filing_sources, filing_sources),
    ):
        unknown = [name for name in in_use if name not in registry]
        if unknown:
            raise ValueError(
                f"{kind}_sources: no {kind} source named {', '.join(unknown)}; known: {', '.join(registry)}"
            )
    price_assets = [build_price_asset(price_sources[name]) for name in settings.price_sources]
    validation_assets = build_validations([a.key.to_user_string() for a in price_assets])
    filing_assets = build_filing_assets(dict(filing_sources))
    python_assets = [raw_sources, *price_assets, *filing_assets, *validation_assets]
    upstream = {k.to_user_string(): k.to_user_string() for a in python_assets for k in a.keys}
    models = load_models()
    sql_layer = build_sql_layer(upstream, models, load_checks(models))
    return dg.Definitions(
        assets=dg.map_asset_specs(shared_attributes, [*python_assets, sql_layer, build_publish_asset(models)]),
        jobs=[daily_job, build_price_history_job([a.key.to_user_string() for a in price_assets])],
        schedules=[daily_refresh],
        sensors=[deals_file_changed, dead_runs, run_failed_alert],
        resources=resources,
        # One step at a time in the run's own process: the steps share one DuckDB file, so they could
        # not run in parallel anyway, and a subprocess per step costs ~2.5 s each here.
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_defs()
