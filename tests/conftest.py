"""Shared fixtures: every test gets its own warehouse directory (so its own DuckDB files)."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from pipelines.definitions import build_defs
from pipelines.resources import DATA_DIR, PipelineSettings

FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "small"


@dataclass
class Pipeline:
    """The daily job pointed at one warehouse directory and one set of sources."""

    warehouse_dir: Path
    data_dir: Path = DATA_DIR
    deals_source: str | None = None

    @property
    def settings(self) -> PipelineSettings:
        return PipelineSettings(
            warehouse_dir=str(self.warehouse_dir),
            deals_source=self.deals_source or str(self.data_dir / "deals.csv"),
            data_dir=str(self.data_dir),
        )

    @property
    def snapshot(self) -> Path:
        return self.warehouse_dir / "published" / "ai_infra.duckdb"

    def defs(self) -> dg.Definitions:
        return build_defs({"settings": self.settings,
                           "duckdb": DuckDBResource(database=str(self.settings.warehouse_db))})

    def run(self) -> dg.ExecuteInProcessResult:
        with dg.instance_for_test() as instance:
            return self.defs().resolve_job_def("daily_job").execute_in_process(
                instance=instance, raise_on_error=False)

    def query(self, sql: str, params=None) -> list[tuple]:
        """Rows from the published snapshot, read the way analysts read it."""
        with duckdb.connect(str(self.snapshot), read_only=True) as conn:
            return conn.execute(sql, params or []).fetchall()


@pytest.fixture
def small_pipeline(tmp_path) -> Pipeline:
    return Pipeline(warehouse_dir=tmp_path / "warehouse", data_dir=SMALL)


@pytest.fixture
def bundled_pipeline(tmp_path) -> Pipeline:
    return Pipeline(warehouse_dir=tmp_path / "warehouse")


def published_fingerprint(published: Path) -> dict[str, str]:
    """sha256 of every file under published/, to show a failed run changed nothing."""
    return {str(p.relative_to(published)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(published.rglob("*")) if p.is_file()}


def failed_steps(result: dg.ExecuteInProcessResult) -> list[str]:
    return [e.step_key for e in result.all_events if e.is_step_failure]
