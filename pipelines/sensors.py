"""Sensors: a run as soon as the deals file changes, instead of waiting for the next 06:00 schedule; the
clean-up of runs whose process died; and an alert when a run fails."""

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from pipelines import alerts, runs
from pipelines.resources import PipelineSettings
from pipelines.schedules import daily_job


@dg.sensor(
    name="deals_file_changed",
    job=daily_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts today's daily_job when the deals file (AIINFRA_DEALS_SOURCE, a local path) changes.",
)
def deals_file_changed(context: dg.SensorEvaluationContext, settings: PipelineSettings):
    source = Path(settings.deals_source)
    if settings.deals_source.startswith(("http://", "https://")) or not source.is_file():
        return dg.SkipReason(f"{settings.deals_source} is not a local file: only local files are watched")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    if context.cursor == digest:
        return dg.SkipReason(f"{source} is unchanged")
    first_look = context.cursor is None
    context.update_cursor(digest)
    if first_look:  # the schedule covers the file as it was when the sensor started watching
        return dg.SkipReason(f"watching {source} from now on")
    day = datetime.now(UTC).date().isoformat()
    return dg.RunRequest(run_key=f"deals-{digest[:16]}", partition_key=day, tags={"trigger": "deals file changed"})


@dg.sensor(
    name="dead_runs",
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Marks failed the runs whose process is gone and frees the `duckdb` pool slots they hold "
    "(what `make unstick` does), so that a killed run never leaves the schedule waiting behind it.",
)
def dead_runs(context: dg.SensorEvaluationContext, settings: PipelineSettings):
    failed, _ = runs.clean_up(context.instance, Path(settings.warehouse_dir), context.log.info)
    return dg.SkipReason(f"marked {len(failed)} dead run(s) failed" if failed else "no dead runs")


@dg.run_failure_sensor(
    name="run_failed_alert",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Posts each failed run's failing steps and errors as JSON to AIINFRA_ALERT_WEBHOOK; logs them "
    "when it is not set.",
)
def run_failed_alert(context: dg.RunFailureSensorContext, settings: PipelineSettings):
    run = context.dagster_run
    steps = [(event.step_key or "?", _error(event)) for event in context.get_step_failure_events()]
    payload = alerts.run_failure(
        run.job_name, run.run_id, run.tags.get("dagster/partition"), steps, context.failure_event.message or ""
    )
    if not settings.alert_webhook:
        context.log.warning(
            f"run {run.run_id} of {run.job_name} failed: {payload['failed_steps']} (no AIINFRA_ALERT_WEBHOOK)"
        )
        return
    alerts.post(settings.alert_webhook, payload)


def _error(event: dg.DagsterEvent) -> str:
    error = event.step_failure_data.error
    return error.message.strip() if error else (event.message or "")
