"""The jobs: the daily refresh (the whole job at 06:00 UTC, on by default) and the price history, one day's
prices at a time (make backfill)."""

import dagster as dg

daily_job = dg.define_asset_job(
    "daily_job",
    selection=dg.AssetSelection.all(),
    description="Ingest, validate, model, compute the metrics and publish the snapshot.",
)


@dg.schedule(
    name="daily_refresh",
    job=daily_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def daily_refresh(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """Today's run: prices are recorded under the day they were fetched."""
    day = context.scheduled_execution_time.date().isoformat()
    return dg.RunRequest(run_key=day, partition_key=day)


def build_price_history_job(price_assets: list[str]):
    """One day's price observations: the price sources in use, their validation and what it needs (the chip
    specifications), nothing published."""
    prices = dg.AssetSelection.assets(*price_assets, "clean_price_observations", "quarantined_price_observations")
    return dg.define_asset_job(
        "price_history_job",
        selection=prices.upstream().required_multi_asset_neighbors(),
        description="Record and validate one day's price observations (make backfill runs it day by day); "
        "the next daily_job publishes them.",
    )
