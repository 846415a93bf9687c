"""Publish: the read-only snapshot analysts query, replaced atomically at the end of a good run.

The snapshot is built next to the old one and swapped in with a rename, so a reader that has the
old file open keeps reading it undisturbed, and a failed run leaves the old one exactly as it was.
It is written in storage version v1.0.0 because many tools still bundle DuckDB 1.x, which refuses
the 2.0 format.
"""

import os

import dagster as dg
import duckdb as duckdb_module  # `duckdb` is the resource's name in the assets
from dagster_duckdb import DuckDBResource

from pipelines import report
from pipelines.assets.sql_models import SqlModel
from pipelines.freshness import published_freshness
from pipelines.resources import PipelineSettings

STORAGE_VERSION = "v1.0.0"
EXPORT_FORMATS = {"parquet": "(format parquet)", "csv": "(format csv, header)"}  # one file per table each


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def build_publish_asset(models: list[SqlModel]) -> dg.AssetsDefinition:
    macros = [m for m in models if m.is_macro]
    models = [m for m in models if not m.is_macro]
    tables = [m.name for m in models]

    @dg.asset(
        name="published_snapshot",
        deps=[*tables, *(m.name for m in macros)],
        group_name="publish",
        kinds={"duckdb", "parquet"},
        owners=["team:data"],
        description=(
            f"published/ai_infra.duckdb (read-only DuckDB, storage {STORAGE_VERSION}, every table and column "
            "commented, with the table macros flows_as_of(d) and scenario_flows_as_of(d)), "
            "published/parquet/<table>.parquet and published/csv/<table>.csv: every model and metric table, "
            "swapped in atomically."
        ),
        pool="duckdb",
        freshness_policy=published_freshness,
    )
    def published_snapshot(context: dg.AssetExecutionContext, settings: PipelineSettings,
                           duckdb: DuckDBResource) -> dg.MaterializeResult:
        out, snapshot = settings.published_dir, settings.published_db
        suffix = f".{context.run.run_id}.tmp"
        new_db = out / f".{snapshot.name}{suffix}"
        exports = {fmt: {out / fmt / f"{t}.{fmt}": out / fmt / f".{t}.{fmt}{suffix}" for t in tables}
                   for fmt in EXPORT_FORMATS}
        new_files = {final: tmp for files in exports.values() for final, tmp in files.items()}
        for fmt in EXPORT_FORMATS:
            (out / fmt).mkdir(parents=True, exist_ok=True)
        try:
            with duckdb.get_connection() as conn:
                conn.execute(f"attach '{new_db}' as snapshot (storage_version '{STORAGE_VERSION}')")
                for model in models:
                    table = model.name
                    conn.execute(f"create table snapshot.main.{table} as select * from main.{table}")
                    conn.execute(f"comment on table snapshot.main.{table} is {_quoted(model.description)}")
                    for column, meaning in model.columns.items():
                        conn.execute(f"comment on column snapshot.main.{table}.{column} is {_quoted(meaning)}")
                    for fmt, options in EXPORT_FORMATS.items():
                        conn.execute(f"copy main.{table} to '{exports[fmt][out / fmt / f'{table}.{fmt}']}' {options}")
                # A macro is created inside the snapshot, so that it reads the snapshot's own tables.
                warehouse = conn.execute("select current_database()").fetchone()[0]
                conn.execute("use snapshot")
                for macro in macros:
                    conn.execute(macro.create_statement())
                conn.execute(f"use {warehouse}")
                conn.execute("detach snapshot")
                counts = {t: conn.execute(f"select count(*) from main.{t}").fetchone()[0] for t in tables}
            # Each rename is atomic: a reader sees the whole old file or the whole new one.
            os.replace(new_db, snapshot)
            for final, tmp in new_files.items():
                os.replace(tmp, final)
            for fmt in EXPORT_FORMATS:
                for stale in set((out / fmt).glob(f"*.{fmt}")) - set(exports[fmt]):
                    stale.unlink()
        finally:
            new_db.unlink(missing_ok=True)
            for tmp in new_files.values():
                tmp.unlink(missing_ok=True)
        context.log.info(f"Published {len(tables)} tables to {out}")
        return dg.MaterializeResult(metadata={
            "path": dg.MetadataValue.path(str(snapshot)),
            "tables": dg.MetadataValue.md("\n".join(f"- `{t}`: {n} rows" for t, n in counts.items())),
            "dagster/row_count": dg.MetadataValue.int(sum(counts.values())),
        })

    return published_snapshot


@dg.asset(
    name="published_report",
    deps=["published_snapshot"],
    group_name="publish",
    kinds={"html"},
    owners=["team:data"],
    description="published/report.html: one self-contained page (no scripts, no network) built from the snapshot "
                "just published: the money-flow network, top round trips and cycles with their sources, provider "
                "concentration, price per PFLOP-hour over time and the deal timeline.",
    freshness_policy=published_freshness,
)
def published_report(context: dg.AssetExecutionContext, settings: PipelineSettings) -> dg.MaterializeResult:
    out = settings.published_dir / "report.html"
    with duckdb_module.connect(str(settings.published_db), read_only=True) as conn:
        page = report.build(conn, context.partition_key if context.has_partition_key else "latest")
    tmp = out.with_name(f".report.html.{context.run.run_id}.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out)
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(out)),
                                          "size_kb": dg.MetadataValue.float(round(len(page) / 1024, 1))})
