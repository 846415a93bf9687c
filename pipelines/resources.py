"""Resources, configured from the AIINFRA_* settings in one place (see README, "Settings")."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
SQL_DIR = REPO_ROOT / "sql"


class PipelineSettings(dg.ConfigurableResource):
    """Where the pipeline reads its sources and writes the warehouse and the published snapshot."""

    warehouse_dir: str
    deals_source: str
    data_dir: str = str(DATA_DIR)

    @property
    def warehouse_db(self) -> Path:
        return Path(self.warehouse_dir) / "ai_infra.duckdb"

    @property
    def published_dir(self) -> Path:
        return Path(self.warehouse_dir) / "published"

    def bundled(self, name: str) -> str:
        return str(Path(self.data_dir) / name)


def build_resources(env: Mapping[str, str] = os.environ) -> dict[str, dg.ConfigurableResource]:
    """The resources for a run, from AIINFRA_* settings (unset ones take their documented defaults)."""
    warehouse_dir = Path(env.get("AIINFRA_WAREHOUSE_DIR") or "warehouse").resolve()
    settings = PipelineSettings(
        warehouse_dir=str(warehouse_dir),
        deals_source=env.get("AIINFRA_DEALS_SOURCE") or str(DATA_DIR / "deals.csv"),
    )
    return {
        "settings": settings,
        "duckdb": DuckDBResource(database=str(settings.warehouse_db)),
    }
