"""Publish: the read-only snapshot analysts query and the report, as one version switched in at once.

The database, Parquet, CSV and report of a run are written into a staging directory and made current
with one atomic rename (pipelines/published.py), so readers see the old set or the new one, never a
mix, and a failed or killed run leaves the old one exactly as it was. The database is written in
storage version v1.0.0 because many tools still bundle DuckDB 1.x, which refuses the 2.0 format.
"""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dagster as dg
import duckdb as duckdb_module  # `duckdb` is the resource's name in the assets

from pipelines import publish_target, published, report
from pipelines.resources import PipelineSettings, Warehouse
from pipelines.runs import POOL
from pipelines.sql_files import SqlModel
from pipelines.warehouse import quoted, quoted_name

STORAGE_VERSION = "v1.0.0"
EXPORT_FORMATS = {"parquet": "(format parquet)", "csv": "(format csv, header)"}  # one file per table each
# Spreadsheets run a cell that starts with one of these as a formula (=HYPERLINK(...), =cmd|...), so
# CSV cells that do are prefixed with a quote; the database and Parquet keep the exact value.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A spreadsheet holds at most 1,048,576 lines (Excel, LibreOffice Calc), the header one of them. A larger table
# (years of daily prices) gets no CSV: nobody could open it, and writing it took 11 s per 10M rows. The
# database and Parquet always have every table; the manifest lists which tables have a CSV.
CSV_MAX_ROWS = 1_048_575


def _csv_select(conn: duckdb_module.DuckDBPyConnection, table: str) -> str:
    """`select` of a table for the CSV export, with formula-like text neutralised."""
    relation = conn.table(f"main.{table}")
    columns = zip(relation.columns, map(str, relation.types), strict=True)
    starts = ", ".join(quoted(p) for p in FORMULA_PREFIXES)
    return (
        "select "
        + ", ".join(
            f"case when left({c}, 1) in ({starts}) then '''' || {c} else {c} end as {c}" if kind == "VARCHAR" else c
            for c, kind in ((quoted_name(name), kind) for name, kind in columns)
        )
        + f" from main.{table}"
    )


def _write_files(
    cursor: duckdb_module.DuckDBPyConnection, staged: Path, tables: list[str], csv_tables: list[str]
) -> None:
    """Every table as Parquet, and `csv_tables` also as CSV, in the staging directory."""
    with cursor:
        for table in tables:
            cursor.execute(
                f"copy main.{table} to {quoted(str(staged / 'parquet' / f'{table}.parquet'))} "
                f"{EXPORT_FORMATS['parquet']}"
            )
            if table not in csv_tables:
                continue
            cursor.execute(
                f"copy ({_csv_select(cursor, table)}) to "
                f"{quoted(str(staged / 'csv' / f'{table}.csv'))} {EXPORT_FORMATS['csv']}"
            )


def build_publish_asset(models: list[SqlModel]) -> dg.AssetsDefinition:
    macros = [m for m in models if m.is_macro]
    models = [m for m in models if not m.is_macro]
    tables = [m.name for m in models]

    @dg.multi_asset(
        name="publish",
        specs=[
            dg.AssetSpec(
                "published_snapshot",
                deps=[*tables, *(m.name for m in macros)],
                group_name="publish",
                kinds={"duckdb", "parquet"},
                description=(
                    f"published/ai_infra.duckdb (read-only DuckDB, storage {STORAGE_VERSION}, every table and "
                    "column commented, with the table macros flows_as_of(d) and scenario_flows_as_of(d)), "
                    "published/parquet/<table>.parquet and published/csv/<table>.csv (tables a spreadsheet can "
                    f"hold: at most {CSV_MAX_ROWS:,} rows): every model and metric table, switched in atomically "
                    "with the report; with AIINFRA_PUBLISH_URI set, copied there too "
                    "(a directory, switched in the same way, or an S3 prefix, named by its current.json)."
                ),
            ),
            dg.AssetSpec(
                "published_report",
                deps=["published_snapshot"],
                group_name="publish",
                kinds={"html"},
                description="published/report.html: one self-contained page (no scripts, no network) built from "
                "the snapshot it is published with: the money-flow network, top round trips and cycles "
                "with their sources, provider concentration, price per PFLOP-hour over time and the "
                "deal timeline.",
            ),
        ],
        pool=POOL,
    )
    def publish(context: dg.AssetExecutionContext, settings: PipelineSettings, duckdb: Warehouse):
        out = settings.published_dir
        run_day = context.partition_key if context.has_partition_key else "latest"
        staged = published.staging_dir(out, context.run.run_id)
        for fmt in EXPORT_FORMATS:
            (staged / fmt).mkdir(parents=True, exist_ok=True)
        try:
            with duckdb.get_connection() as conn:
                counts = {t: conn.execute(f"select count(*) from main.{t}").fetchall()[0][0] for t in tables}
                csv_tables = [t for t, rows in counts.items() if rows <= CSV_MAX_ROWS]
                conn.execute(
                    f"attach {quoted(str(staged / published.DB))} as snapshot (storage_version '{STORAGE_VERSION}')"
                )
                # Each write runs on about one core, so the files are written beside the database copy.
                with ThreadPoolExecutor(max_workers=1) as writer:
                    files = writer.submit(_write_files, conn.cursor(), staged, tables, csv_tables)
                    for model in models:
                        table = model.name
                        conn.execute(f"create table snapshot.main.{table} as select * from main.{table}")
                        conn.execute(f"comment on table snapshot.main.{table} is {quoted(model.description)}")
                        for column, meaning in model.columns.items():
                            conn.execute(f"comment on column snapshot.main.{table}.{column} is {quoted(meaning)}")
                    files.result()
                # A macro is created inside the snapshot, so that it reads the snapshot's own tables.
                [(warehouse,)] = conn.execute("select current_database()").fetchall()
                conn.execute("use snapshot")
                for macro in macros:
                    conn.execute(macro.create_statement())
                conn.execute(f"use {warehouse}")
                conn.execute("detach snapshot")
            manifest = published.new_manifest(context.run.run_id, run_day, counts, csv_tables)
            with duckdb_module.connect(str(staged / published.DB), read_only=True) as conn:
                page = report.build(conn, run_day, manifest["version"])
            (staged / published.REPORT).write_text(page, encoding="utf-8")
            version = published.switch(out, staged, manifest)
        finally:
            published.clean(out)  # this run's staging directory if it failed, and old versions
        context.log.info(f"Published {len(tables)} tables and the report as version {version.name} in {out}")
        shared = {}
        if settings.publish_uri:
            try:
                copy = publish_target.share(version, settings.publish_uri, manifest)
            except Exception as err:  # whatever the target raised, the message must name the setting
                raise dg.Failure(
                    f"Published version {version.name} in {out}, but could not copy it to AIINFRA_PUBLISH_URI="
                    f"{settings.publish_uri}, which still shows its previous version: {type(err).__name__}: {err}"
                ) from err
            context.log.info(f"Copied version {version.name} to {settings.publish_uri}")
            shared = {"shared_copy": dg.MetadataValue.path(copy)}
        yield dg.MaterializeResult(
            asset_key="published_snapshot",
            metadata={
                "path": dg.MetadataValue.path(str(settings.published_db)),
                "version": dg.MetadataValue.text(version.name),
                **shared,
                "tables": dg.MetadataValue.md("\n".join(f"- `{t}`: {n} rows" for t, n in counts.items())),
                "dagster/row_count": dg.MetadataValue.int(sum(counts.values())),
            },
        )
        yield dg.MaterializeResult(
            asset_key="published_report",
            metadata={
                "path": dg.MetadataValue.path(str(out / published.REPORT)),
                "size_kb": dg.MetadataValue.float(round(len(page) / 1024, 1)),
            },
        )

    return publish
