"""AIINFRA_PUBLISH_URI=s3://…: each published version uploaded to an S3-compatible store, named by current.json.

The store is moto's S3 server on 127.0.0.1 (real S3 requests over HTTP); a store that answers 503 to
everything is a pytest-httpserver.
"""

import hashlib
import json
import time

import duckdb
import pytest
from conftest import SMALL, Pipeline
from moto.server import ThreadedMotoServer
from test_publishing import GOOD

from pipelines import publish_target, published


@pytest.fixture
def s3(monkeypatch):
    """An empty S3 store on a free 127.0.0.1 port, reached as a reader or the pipeline would: AWS_* variables."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://{host}:{port}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    try:
        yield publish_target.store()
    finally:
        server.stop()


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_each_version_is_uploaded_whole_and_named_by_current_json_last(s3, tmp_path):
    s3.mkdir("analytics")
    pipeline = Pipeline(
        tmp_path / "warehouse",
        data_dir=SMALL,
        price_sources=[],
        settings_overrides={"publish_uri": "s3://analytics/ai-infra"},
    )
    assert pipeline.run().success
    first = json.loads(s3.cat_file("analytics/ai-infra/current.json"))

    # An upload cut short (a run killed midway): files without their manifest.json, never named.
    killed = "analytics/ai-infra/versions/29991231T000000Z-killed00"
    s3.pipe_file(f"{killed}/ai_infra.duckdb", b"half a database")

    assert pipeline.run().success
    local = (pipeline.snapshot.parent / "current").resolve()
    current = json.loads(s3.cat_file("analytics/ai-infra/current.json"))
    assert current == json.loads((local / published.MANIFEST).read_text())
    assert current["version"] != first["version"] and current["tables"]["deal_flows"] == len(GOOD)
    # Every file of the local version, byte for byte, under versions/<version>/.
    remote = f"analytics/ai-infra/versions/{current['version']}"
    files = {p.relative_to(local).as_posix(): p for p in local.rglob("*") if p.is_file()}
    assert {name: digest(s3.cat_file(f"{remote}/{name}")) for name in files} == {
        name: digest(path.read_bytes()) for name, path in files.items()
    }
    assert not s3.exists(killed)
    versions = {p.rsplit("/", 1)[-1] for p in s3.ls("analytics/ai-infra/versions", refresh=True)}
    assert versions == {first["version"], current["version"]}

    # A reader elsewhere: current.json, then that version's tables (DuckDB reading through the same client).
    with duckdb.connect() as conn:
        conn.register_filesystem(s3)
        [(version,)] = conn.execute("select version from read_json('s3://analytics/ai-infra/current.json')").fetchall()
        [(flows,)] = conn.execute(
            f"select count(*) from read_parquet('s3://analytics/ai-infra/versions/{version}/parquet/deal_flows.parquet')"
        ).fetchall()
    assert flows == len(GOOD)


def test_only_the_newest_complete_versions_are_kept_and_never_the_current_one(s3):
    s3.mkdir("store")
    names = [f"20261101T0000{i:02d}Z-run{i:05d}" for i in range(5)]
    for name in names:
        s3.pipe_file(f"store/p/versions/{name}/{published.MANIFEST}", b"{}")
    s3.pipe_file("store/p/versions/20261102T000000Z-killed00/ai_infra.duckdb", b"half")
    s3.pipe_file(f"store/p/{publish_target.CURRENT}", json.dumps({"version": names[0]}).encode())
    removed = publish_target.clean_store(s3, "store/p")
    kept = {p.rsplit("/", 1)[-1] for p in s3.ls("store/p/versions", refresh=True)}
    assert kept == {names[0], *names[-published.KEEP_VERSIONS :]}
    assert {p.rsplit("/", 1)[-1] for p in removed} == {names[1], "20261102T000000Z-killed00"}


def test_a_missing_bucket_fails_the_run_naming_the_setting(s3, tmp_path):
    pipeline = Pipeline(
        tmp_path / "warehouse", data_dir=SMALL, price_sources=[], settings_overrides={"publish_uri": "s3://nobucket/x"}
    )
    result = pipeline.run()
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert failure.step_key == "publish"
    assert "AIINFRA_PUBLISH_URI=s3://nobucket/x" in failure.step_failure_data.error.message
    assert published.current_version(pipeline.snapshot.parent)["tables"]["deal_flows"] == len(GOOD)


def test_a_store_that_answers_503_fails_within_bounded_retries(httpserver, monkeypatch, tmp_path):
    httpserver.expect_request("").respond_with_data("SlowDown", status=503)
    monkeypatch.setenv("AWS_ENDPOINT_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    pipeline = Pipeline(
        tmp_path / "warehouse", data_dir=SMALL, price_sources=[], settings_overrides={"publish_uri": "s3://bucket/x"}
    )
    started = time.monotonic()
    result = pipeline.run()
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert "AIINFRA_PUBLISH_URI=s3://bucket/x" in failure.step_failure_data.error.message
    assert time.monotonic() - started < 120
    assert 1 <= len(httpserver.log) <= 20  # retried, a few times, not forever
