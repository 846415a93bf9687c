"""Ingest, daily: one asset per price source in AIINFRA_PRICE_SOURCES, `<source>_prices`, each recording
that day's observations in its own table of the same name (re-running a day replaces only that day's rows).

A source that cannot be fetched or parsed, or that yields no observations (unless listed in
AIINFRA_ALLOW_EMPTY_SOURCES), fails its own step with the problem; the other sources still record, and
nothing downstream (so nothing published) changes that run.
"""

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from pipelines.assets.ingest import require_rows
from pipelines.partitions import daily_partitions
from pipelines.prices.accelerators import AcceleratorMap
from pipelines.prices.http import HttpClient, SourceError, fetched_metadata
from pipelines.prices.observations import COLUMNS, create_raw_table
from pipelines.prices.sources import PriceSource
from pipelines.resources import PipelineSettings
from pipelines.runs import POOL
from pipelines.warehouse import table_metadata


def build_price_asset(price_source: PriceSource) -> dg.AssetsDefinition:
    source = price_source.name
    table = f"{source}_prices"

    @dg.asset(
        name=table,
        group_name="ingest",
        kinds={"python", "duckdb"},
        description=price_source.description,
        partitions_def=daily_partitions,
        pool=POOL,
    )
    def _prices(
        context: dg.AssetExecutionContext, settings: PipelineSettings, http: HttpClient, duckdb: DuckDBResource
    ) -> dg.MaterializeResult:
        day = context.partition_key
        accelerators = AcceleratorMap.from_csv(settings.bundled("accelerators.csv"))
        http.take_fetched()  # what earlier steps fetched is in their metadata
        try:
            parsed = price_source.fetch(settings, http, accelerators, day)
        except SourceError as err:
            raise dg.Failure(f"Price source {source} failed: {err}") from err
        fetched = fetched_metadata(http.take_fetched())
        require_rows(source, len(parsed.rows), f"fetched for {day}", settings)
        frame = pd.DataFrame(parsed.rows, columns=COLUMNS, dtype="str")
        frame.insert(0, "source_line", range(1, len(frame) + 1))
        settings.warehouse_db.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.get_connection() as conn:
            create_raw_table(conn, table)
            conn.execute(f"delete from {table} where run_day = ?", [day])
            conn.register("incoming", frame)
            conn.execute(f"insert into {table} by name select ?::date as run_day, * from incoming", [day])
            metadata = table_metadata(conn, table)
        skipped = "\n".join(f"- {reason}: {n}" for reason, n in parsed.skipped.most_common()) or "none"
        context.log.info(f"{source}: {len(frame)} observations for {day}")
        return dg.MaterializeResult(
            metadata={
                **metadata,
                "dagster/row_count": dg.MetadataValue.int(len(frame)),
                "left_out": dg.MetadataValue.md(skipped),
                **fetched,
            }
        )

    return _prices
