"""Failure alerts: a run that fails (its deals file is missing) is reported by the run_failed_alert sensor as
JSON to a webhook on a local HTTP server, which answers 503 once (the post is retried); without a webhook the
sensor posts nothing."""

import json

import dagster as dg
from conftest import SMALL, Pipeline
from werkzeug import Request, Response

from pipelines.sensors import run_failed_alert


def failed_run_context(tmp_path, **settings) -> dg.RunFailureSensorContext:
    pipeline = Pipeline(
        tmp_path / "warehouse", data_dir=SMALL, price_sources=[], deals_source=str(tmp_path / "gone.csv")
    )
    pipeline.settings_overrides.update(settings)
    instance = dg.DagsterInstance.ephemeral()
    result = (
        pipeline.defs()
        .resolve_job_def("daily_job")
        .execute_in_process(instance=instance, raise_on_error=False, partition_key="2026-11-30")
    )
    assert not result.success
    return dg.build_run_status_sensor_context(
        sensor_name="run_failed_alert",
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=result.get_run_failure_event(),
        resources={"settings": pipeline.settings},
    ).for_run_failure()


def test_a_failed_run_is_posted_to_the_webhook_with_its_failing_step(tmp_path, httpserver):
    posted: list[dict] = []

    def hook(request: Request) -> Response:
        posted.append(json.loads(request.data))
        return Response("busy", status=503) if len(posted) == 1 else Response("ok")

    httpserver.expect_request("/hook", method="POST").respond_with_handler(hook)
    context = failed_run_context(tmp_path, alert_webhook=httpserver.url_for("/hook"))
    run_failed_alert(context)
    assert len(posted) == 2 and posted[0] == posted[1]  # the 503 was retried with the same alert
    alert = posted[1]
    assert (alert["event"], alert["job"], alert["partition"]) == ("run_failed", "daily_job", "2026-11-30")
    assert alert["run_id"] == context.dagster_run.run_id
    [step] = alert["failed_steps"]
    assert step["step"] == "raw_sources" and "gone.csv" in step["error"]


def test_without_a_webhook_the_sensor_posts_nothing(tmp_path, httpserver):
    context = failed_run_context(tmp_path)
    assert run_failed_alert(context) is None
    assert httpserver.log == []
