"""Shared fixtures: every test gets its own warehouse directory (so its own DuckDB files)."""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from pipelines.definitions import build_defs
from pipelines.prices.http import HttpClient
from pipelines.resources import DATA_DIR, PipelineSettings

FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "small"
TODAY = datetime.now(timezone.utc).date().isoformat()


@dataclass
class Pipeline:
    """The daily job pointed at one warehouse directory and one set of sources."""

    warehouse_dir: Path
    data_dir: Path = DATA_DIR
    deals_source: str | None = None
    price_sources: list[str] = field(default_factory=lambda: ["snapshot"])
    settings_overrides: dict = field(default_factory=dict)
    http: HttpClient = field(default_factory=lambda: HttpClient(backoff_factor=0, retries=2))

    @property
    def settings(self) -> PipelineSettings:
        return PipelineSettings(
            warehouse_dir=str(self.warehouse_dir),
            deals_source=self.deals_source or str(self.data_dir / "deals.csv"),
            data_dir=str(self.data_dir),
            price_sources=self.price_sources,
            **self.settings_overrides,
        )

    @property
    def snapshot(self) -> Path:
        return self.warehouse_dir / "published" / "ai_infra.duckdb"

    def defs(self) -> dg.Definitions:
        return build_defs({"settings": self.settings, "http": self.http,
                           "duckdb": DuckDBResource(database=str(self.settings.warehouse_db))})

    def run(self, day: str = TODAY) -> dg.ExecuteInProcessResult:
        with dg.instance_for_test() as instance:
            return self.defs().resolve_job_def("daily_job").execute_in_process(
                instance=instance, raise_on_error=False, partition_key=day)

    def query(self, sql: str, params=None) -> list[tuple]:
        """Rows from the published snapshot, read the way analysts read it."""
        with duckdb.connect(str(self.snapshot), read_only=True) as conn:
            return conn.execute(sql, params or []).fetchall()


@pytest.fixture(scope="session")
def httpserver_listen_address():
    """pytest-httpserver binds here: loopback only, any free port."""
    return ("127.0.0.1", 0)


@pytest.fixture
def small_pipeline(tmp_path) -> Pipeline:
    return Pipeline(warehouse_dir=tmp_path / "warehouse", data_dir=SMALL, price_sources=[])


@pytest.fixture
def bundled_pipeline(tmp_path) -> Pipeline:
    return Pipeline(warehouse_dir=tmp_path / "warehouse")


def published_fingerprint(published: Path) -> dict[str, str]:
    """sha256 of every file under published/, to show a failed run changed nothing."""
    return {str(p.relative_to(published)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(published.rglob("*")) if p.is_file()}


def failed_steps(result: dg.ExecuteInProcessResult) -> list[str]:
    return [e.step_key for e in result.all_events if e.is_step_failure]
