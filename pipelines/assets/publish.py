"""Publish: the read-only snapshot analysts query, replaced atomically at the end of a good run.

The snapshot is built next to the old one and swapped in with a rename, so a reader that has the
old file open keeps reading it undisturbed, and a failed run leaves the old one exactly as it was.
It is written in storage version v1.0.0 because many tools still bundle DuckDB 1.x, which refuses
the 2.0 format.
"""

import os
import shutil

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.resources import PipelineSettings

SNAPSHOT_NAME = "ai_infra.duckdb"
STORAGE_VERSION = "v1.0.0"


def build_publish_asset(tables: list[str]) -> dg.AssetsDefinition:
    @dg.asset(
        name="published_snapshot",
        deps=tables,
        group_name="publish",
        kinds={"duckdb", "parquet"},
        owners=["team:data"],
        description=(
            f"published/{SNAPSHOT_NAME} (read-only DuckDB, storage {STORAGE_VERSION}) and "
            "published/parquet/<table>.parquet: every model and metric table, swapped in atomically."
        ),
        pool="duckdb",
    )
    def published_snapshot(context: dg.AssetExecutionContext, settings: PipelineSettings,
                           duckdb: DuckDBResource) -> dg.MaterializeResult:
        out = settings.published_dir
        out.mkdir(parents=True, exist_ok=True)
        suffix = f".{context.run.run_id}.tmp"
        new_db, new_parquet = out / f".{SNAPSHOT_NAME}{suffix}", out / f".parquet{suffix}"
        new_parquet.mkdir()
        try:
            with duckdb.get_connection() as conn:
                conn.execute(f"attach '{new_db}' as snapshot (storage_version '{STORAGE_VERSION}')")
                for table in tables:
                    conn.execute(f"create table snapshot.main.{table} as select * from main.{table}")
                    conn.execute(f"copy main.{table} to '{new_parquet / table}.parquet' (format parquet)")
                conn.execute("detach snapshot")
                counts = {t: conn.execute(f"select count(*) from main.{t}").fetchone()[0] for t in tables}
            os.replace(new_db, out / SNAPSHOT_NAME)
            _swap_dir(new_parquet, out / "parquet")
        finally:
            new_db.unlink(missing_ok=True)
            shutil.rmtree(new_parquet, ignore_errors=True)
        context.log.info(f"Published {len(tables)} tables to {out}")
        return dg.MaterializeResult(metadata={
            "path": dg.MetadataValue.path(str(out / SNAPSHOT_NAME)),
            "tables": dg.MetadataValue.md("\n".join(f"- `{t}`: {n} rows" for t, n in counts.items())),
            "dagster/row_count": dg.MetadataValue.int(sum(counts.values())),
        })

    return published_snapshot


def _swap_dir(new: os.PathLike, target: os.PathLike) -> None:
    """Put directory `new` where `target` is; each step is a rename, so readers see old or new files."""
    old = f"{target}.old"
    shutil.rmtree(old, ignore_errors=True)
    if os.path.exists(target):
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)
