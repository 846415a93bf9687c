"""Resources, configured from the AIINFRA_* settings in one place (see README, "Settings")."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.prices import aws, azure, skypilot
from pipelines.prices.http import HttpClient

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
SQL_DIR = REPO_ROOT / "sql"


PRICE_SOURCES = ("snapshot", "skypilot", "azure", "aws")
SKYPILOT_CLOUDS = ("aws", "gcp", "azure", "lambda", "runpod", "nebius", "oci", "vast", "shadeform")
AWS_REGIONS = ("us-east-1", "us-west-2")


class PipelineSettings(dg.ConfigurableResource):
    """Where the pipeline reads its sources and writes the warehouse and the published snapshot."""

    warehouse_dir: str
    deals_source: str
    deal_events_source: str | None = None  # None: the bundled events, with the bundled deals; "": none
    data_dir: str = str(DATA_DIR)
    price_sources: list[str] = ["snapshot"]
    skypilot_url: str = skypilot.DEFAULT_URL
    skypilot_clouds: list[str] = list(SKYPILOT_CLOUDS)
    azure_url: str = azure.DEFAULT_URL
    aws_url: str = aws.DEFAULT_URL
    aws_regions: list[str] = list(AWS_REGIONS)

    @property
    def warehouse_db(self) -> Path:
        return Path(self.warehouse_dir) / "ai_infra.duckdb"

    @property
    def published_dir(self) -> Path:
        return Path(self.warehouse_dir) / "published"

    @property
    def published_db(self) -> Path:
        """The read-only snapshot analysts open."""
        return self.published_dir / "ai_infra.duckdb"

    def bundled(self, name: str) -> str:
        return str(Path(self.data_dir) / name)

    @property
    def deal_events_location(self) -> str:
        """Where deal events are read; empty for none. Unset, the bundled events go with the bundled deals
        only: another deals file has other flow ids."""
        if self.deal_events_source is not None:
            return self.deal_events_source
        bundled = Path(self.bundled("deal_events.csv"))
        return str(bundled) if Path(self.deals_source) == Path(self.bundled("deals.csv")) and bundled.exists() else ""


def _names(env: Mapping[str, str], key: str, default: tuple[str, ...]) -> list[str]:
    return [n.strip() for n in (env.get(key) or ",".join(default)).split(",") if n.strip()]


def build_resources(env: Mapping[str, str] = os.environ) -> dict[str, dg.ConfigurableResource]:
    """The resources for a run, from AIINFRA_* settings (unset ones take their documented defaults)."""
    price_sources = _names(env, "AIINFRA_PRICE_SOURCES", ("snapshot",))
    unknown = sorted(set(price_sources) - set(PRICE_SOURCES)) or ([] if price_sources else ["(none)"])
    if unknown:
        raise ValueError(f"AIINFRA_PRICE_SOURCES: unknown source(s) {', '.join(unknown)}; "
                         f"choose from {', '.join(PRICE_SOURCES)}")
    events = (env.get("AIINFRA_DEAL_EVENTS_SOURCE") or "").strip()  # unset: deal_events_location decides
    settings = PipelineSettings(
        warehouse_dir=str(Path(env.get("AIINFRA_WAREHOUSE_DIR") or "warehouse").resolve()),
        deals_source=env.get("AIINFRA_DEALS_SOURCE") or str(DATA_DIR / "deals.csv"),
        deal_events_source=None if not events else "" if events.lower() == "none" else events,
        price_sources=price_sources,
        skypilot_url=env.get("AIINFRA_SKYPILOT_URL") or skypilot.DEFAULT_URL,
        skypilot_clouds=_names(env, "AIINFRA_SKYPILOT_CLOUDS", SKYPILOT_CLOUDS),
        azure_url=env.get("AIINFRA_AZURE_URL") or azure.DEFAULT_URL,
        aws_url=env.get("AIINFRA_AWS_URL") or aws.DEFAULT_URL,
        aws_regions=_names(env, "AIINFRA_AWS_REGIONS", AWS_REGIONS),
    )
    return {
        "settings": settings,
        "duckdb": DuckDBResource(database=str(settings.warehouse_db)),
        "http": HttpClient(),
    }
