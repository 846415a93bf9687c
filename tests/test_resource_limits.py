"""DuckDB works within stated bounds: running out of them fails the run, naming the setting, and
changes nothing that readers see."""

import pytest
from conftest import SMALL, Pipeline, failed_steps, published_fingerprint

from pipelines.resources import DUCKDB_MEMORY_LIMIT, DUCKDB_TEMP_LIMIT, build_resources


def test_a_run_out_of_memory_fails_naming_the_setting_and_publishes_nothing(tmp_path):
    pipeline = Pipeline(tmp_path / "warehouse", data_dir=SMALL, price_sources=[])
    assert pipeline.run().success
    before = published_fingerprint(pipeline.snapshot.parent)

    pipeline.warehouse_overrides = {"memory_limit": "1MB"}
    result = pipeline.run()
    assert not result.success and failed_steps(result)
    errors = [str(e.event_specific_data.error) for e in result.all_events if e.is_step_failure]
    assert any("AIINFRA_DUCKDB_MEMORY_LIMIT=1MB" in e and "Out of Memory" in e for e in errors), errors
    assert published_fingerprint(pipeline.snapshot.parent) == before


def test_limits_come_from_settings_and_bad_values_name_the_setting(tmp_path):
    warehouse = build_resources({"AIINFRA_WAREHOUSE_DIR": str(tmp_path)})["duckdb"]
    assert (warehouse.memory_limit, warehouse.temp_limit) == (DUCKDB_MEMORY_LIMIT, DUCKDB_TEMP_LIMIT)
    assert warehouse.temp_dir == tmp_path.resolve() / "duckdb_tmp"  # spilled data stays in the warehouse
    set_ = build_resources(
        {
            "AIINFRA_WAREHOUSE_DIR": str(tmp_path),
            "AIINFRA_DUCKDB_MEMORY_LIMIT": "512MiB",
            "AIINFRA_DUCKDB_TEMP_LIMIT": "2GB",
        }
    )["duckdb"]
    assert (set_.memory_limit, set_.temp_limit) == ("512MiB", "2GB")
    with set_.get_connection() as conn:
        assert conn.execute("select current_setting('max_temp_directory_size')").fetchone()[0] == "1.8 GiB"  # 2e9 bytes
        assert conn.execute("select current_setting('memory_limit')").fetchone()[0] == "512.0 MiB"
    for key in ("AIINFRA_DUCKDB_MEMORY_LIMIT", "AIINFRA_DUCKDB_TEMP_LIMIT"):
        with pytest.raises(ValueError, match=key):
            build_resources({key: "plenty"})


def test_validation_chunk_size_comes_from_its_setting():
    assert build_resources({})["settings"].validate_chunk_rows == 250_000
    assert build_resources({"AIINFRA_VALIDATE_CHUNK_ROWS": "1000"})["settings"].validate_chunk_rows == 1000
    for bad in ("0", "lots", "-5"):
        with pytest.raises(ValueError, match="AIINFRA_VALIDATE_CHUNK_ROWS"):
            build_resources({"AIINFRA_VALIDATE_CHUNK_ROWS": bad})
