"""The settings table in README.md against the code that reads the settings (pipelines/resources.py)."""

import re
from pathlib import Path

import pytest

from pipelines.resources import build_resources, settings_from_env

REPO = Path(__file__).parent.parent
# The pipeline reads its settings in resources.py; the instance reads AIINFRA_POSTGRES_URL (Makefile, dagster.yaml).
RESOURCES = (REPO / "pipelines" / "resources.py").read_text() + (REPO / "deploy" / "dagster-postgres.yaml").read_text()
README = (REPO / "README.md").read_text()
ROWS = dict(re.findall(r"^\| `(AIINFRA_[A-Z_]+)` \| ([^|]+) \|", README, re.MULTILINE))


def test_every_setting_the_code_reads_is_in_the_readme_and_no_other():
    assert set(ROWS) == set(re.findall(r'(?:"|env: )(AIINFRA_[A-Z_]+)', RESOURCES))


def test_the_readme_states_the_defaults_the_code_uses():
    resources = build_resources({})
    settings, warehouse, http = resources["settings"], resources["duckdb"], resources["http"]
    defaults = {
        "AIINFRA_PRICE_SOURCES": ",".join(settings.price_sources),
        "AIINFRA_FILING_SOURCES": ",".join(settings.filing_sources),
        "AIINFRA_SEC_DATA_URL": settings.sec_data_url,
        "AIINFRA_SEC_ARCHIVES_URL": settings.sec_archives_url,
        "AIINFRA_FILING_MAX_BYTES": str(settings.filing_max_bytes),
        "AIINFRA_SKYPILOT_URL": settings.skypilot_url,
        "AIINFRA_SKYPILOT_CLOUDS": ",".join(settings.skypilot_clouds),
        "AIINFRA_AZURE_URL": settings.azure_url,
        "AIINFRA_AWS_URL": settings.aws_url,
        "AIINFRA_AWS_REGIONS": ",".join(settings.aws_regions),
        "AIINFRA_HTTP_DEADLINE_S": f"{http.deadline_s:g}",
        "AIINFRA_POOL_WAIT_S": f"{warehouse.pool_wait_s:g}",
        "AIINFRA_WAREHOUSE_LOCK_WAIT_S": f"{warehouse.lock_wait_s:g}",
        "AIINFRA_DUCKDB_MEMORY_LIMIT": warehouse.memory_limit,
        "AIINFRA_DUCKDB_TEMP_LIMIT": warehouse.temp_limit,
        "AIINFRA_MAX_CYCLES": str(settings.max_cycles),
        "AIINFRA_VALIDATE_CHUNK_ROWS": str(settings.validate_chunk_rows),
    }
    assert {name: ROWS[name].strip() for name in defaults} == {name: f"`{value}`" for name, value in defaults.items()}
    # The paths: relative to where make runs, as the README says.
    assert (
        Path(settings.warehouse_dir) == Path("warehouse").resolve()
        and ROWS["AIINFRA_WAREHOUSE_DIR"].strip() == "`./warehouse`"
    )
    assert Path(settings.data_dir).name == "data" and ROWS["AIINFRA_DATA_DIR"].strip() == "`data/`"
    assert settings.allow_empty_sources == [] and ROWS["AIINFRA_ALLOW_EMPTY_SOURCES"].strip() == "none"
    assert settings.sec_contact == "" and ROWS["AIINFRA_SEC_CONTACT"].strip() == "none"
    assert settings.alert_webhook == "" and ROWS["AIINFRA_ALERT_WEBHOOK"].strip() == "none"
    assert settings.publish_uri is None and ROWS["AIINFRA_PUBLISH_URI"].strip() == "none"
    assert settings.filings_since is None and ROWS["AIINFRA_FILINGS_SINCE"].strip() == "none"
    assert settings.feeds_path == Path(settings.data_dir) / "feeds.csv"
    assert ROWS["AIINFRA_FEEDS_FILE"].strip() == "`$AIINFRA_DATA_DIR/feeds.csv`"


def test_the_publish_target_is_a_directory_or_an_s3_url(tmp_path):
    share = tmp_path / "shared dir"
    assert settings_from_env({"AIINFRA_PUBLISH_URI": str(share)}).publish_uri == str(share)
    assert settings_from_env({"AIINFRA_PUBLISH_URI": "file://" + str(share).replace(" ", "%20")}).publish_uri == str(
        share
    )
    assert settings_from_env({"AIINFRA_PUBLISH_URI": "s3://bucket/ai-infra/"}).publish_uri == "s3://bucket/ai-infra"
    for unknown in ("gs://bucket/ai-infra", "https://example.org/ai-infra", "s3:///no-bucket"):
        with pytest.raises(ValueError, match=r"AIINFRA_PUBLISH_URI: .*give a directory .* or an S3 URL"):
            settings_from_env({"AIINFRA_PUBLISH_URI": unknown})
