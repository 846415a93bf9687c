"""The daily refresh: the whole job at 06:00 UTC, on by default."""

import dagster as dg

daily_job = dg.define_asset_job(
    "daily_job",
    selection=dg.AssetSelection.all(),
    description="Ingest, validate, model, compute the metrics and publish the snapshot.",
    # INFO, not DEBUG: on `make run` the screen shows progress and any failing step's error, not every event.
    config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
)

daily_refresh = dg.ScheduleDefinition(
    name="daily_refresh",
    job=daily_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
