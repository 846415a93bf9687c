"""Ingest, daily: one asset per price source in AIINFRA_PRICE_SOURCES, each recording that day's
observations in raw_price_observations (re-running a day replaces only that day's rows of that source).

A source that cannot be fetched or parsed, or that yields no observations (unless listed in
AIINFRA_ALLOW_EMPTY_SOURCES), fails its own step with the problem; the other sources still record, and
nothing downstream (so nothing published) changes that run.
"""

from collections.abc import Callable
from pathlib import Path

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from pipelines.assets.ingest import require_rows
from pipelines.partitions import daily_partitions
from pipelines.prices import aws, azure, skypilot, snapshot
from pipelines.prices.accelerators import AcceleratorMap
from pipelines.prices.http import HttpClient, SourceError
from pipelines.prices.observations import COLUMNS, Parsed, create_raw_table
from pipelines.resources import PipelineSettings
from pipelines.runs import POOL
from pipelines.warehouse import table_metadata

RAW_TABLE = "raw_price_observations"

Fetch = Callable[[PipelineSettings, HttpClient, AcceleratorMap, str], Parsed]
FETCHERS: dict[str, tuple[str, Fetch]] = {
    "snapshot": (
        "Bundled recordings (data/price_snapshots): verbatim SkyPilot catalog lines at known commits, read with "
        "the live parser; rows carry each recording's URL, commit and date (manifest.json), not the run's.",
        lambda s, http, acc, day: snapshot.read(Path(s.data_dir) / "price_snapshots", acc),
    ),
    "skypilot": (
        "SkyPilot catalog vms.csv for each cloud in AIINFRA_SKYPILOT_CLOUDS, from AIINFRA_SKYPILOT_URL.",
        lambda s, http, acc, day: skypilot.fetch(http, s.skypilot_url, s.skypilot_clouds, acc, day),
    ),
    "azure": (
        "Azure Retail Prices API pages for the GPU VM SKUs in data/accelerators.csv, from AIINFRA_AZURE_URL.",
        lambda s, http, acc, day: azure.fetch(http, s.azure_url, acc, day),
    ),
    "aws": (
        "AWS Price List EC2 offer files for AIINFRA_AWS_REGIONS, streamed from AIINFRA_AWS_URL.",
        lambda s, http, acc, day: aws.fetch(http, s.aws_url, s.aws_regions, acc, day),
    ),
}


def build_price_asset(source: str) -> dg.AssetsDefinition:
    description, fetch = FETCHERS[source]

    @dg.asset(
        name=f"{source}_prices",
        group_name="ingest",
        kinds={"python", "duckdb"},
        description=description,
        partitions_def=daily_partitions,
        pool=POOL,
    )
    def _prices(
        context: dg.AssetExecutionContext, settings: PipelineSettings, http: HttpClient, duckdb: DuckDBResource
    ) -> dg.MaterializeResult:
        day = context.partition_key
        accelerators = AcceleratorMap.from_csv(settings.bundled("accelerators.csv"))
        try:
            parsed = fetch(settings, http, accelerators, day)
        except SourceError as err:
            raise dg.Failure(f"Price source {source} failed: {err}") from err
        require_rows(source, len(parsed.rows), f"fetched for {day}", settings)
        frame = pd.DataFrame(parsed.rows, columns=COLUMNS, dtype="str")
        frame.insert(0, "source_line", range(1, len(frame) + 1))
        settings.warehouse_db.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.get_connection() as conn:
            create_raw_table(conn)
            conn.execute(f"delete from {RAW_TABLE} where run_day = ? and fetched_by = ?", [day, source])
            conn.register("incoming", frame)
            conn.execute(
                f"insert into {RAW_TABLE} by name select ?::date as run_day, ? as fetched_by, * from incoming",
                [day, source],
            )
            metadata = table_metadata(conn, RAW_TABLE)
        skipped = "\n".join(f"- {reason}: {n}" for reason, n in parsed.skipped.most_common()) or "none"
        context.log.info(f"{source}: {len(frame)} observations for {day}")
        return dg.MaterializeResult(
            metadata={
                **metadata,
                "dagster/row_count": dg.MetadataValue.int(len(frame)),
                "left_out": dg.MetadataValue.md(skipped),
            }
        )

    return _prices
