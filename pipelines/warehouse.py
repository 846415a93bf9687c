"""Small helpers shared by the assets that read and write the DuckDB warehouse."""

from __future__ import annotations

import dagster as dg
import duckdb
from tabulate import tabulate


def quoted(text: str) -> str:
    """`text` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


PREVIEW_CHARS = 80  # of a cell in the UI's preview of a table


def quoted_name(name: str) -> str:
    """`name` as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _cut(text: str) -> str:
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


def table_metadata(
    conn: duckdb.DuckDBPyConnection, table: str, descriptions: dict[str, str] | None = None, preview_rows: int = 5
) -> dict:
    """Row count, column schema (with each column's meaning, when known) and a small preview of
    `table`, for the Dagster UI."""
    relation = conn.table(quoted_name(table))  # its columns and types without a catalog query
    columns = [(name, str(data_type)) for name, data_type in zip(relation.columns, relation.types, strict=True)]
    [(rows,)] = conn.execute(f"select count(*) from {quoted_name(table)}").fetchall()
    # Each cell cut to PREVIEW_CHARS in DuckDB, before it reaches Python: a metric row citing every flow made one
    # event of 105 MB at 1M flows, which the run wrote twice to the instance's storage and the UI had to load.
    # tabulate on the rows themselves: by way of a pandas frame it took three times as long, per table per run
    cells = ", ".join(f"left(cast({quoted_name(c)} as varchar), {PREVIEW_CHARS + 1})" for c in relation.columns)
    preview = [
        ["" if value is None else _cut(value) for value in row]
        for row in relation.limit(preview_rows).project(cells).fetchall()
    ]
    return {
        "dagster/row_count": dg.MetadataValue.int(rows),
        "dagster/column_schema": dg.TableSchema(
            columns=[
                dg.TableColumn(name, data_type.lower(), description=(descriptions or {}).get(name))
                for name, data_type in columns
            ]
        ),
        "dagster/table_name": dg.MetadataValue.text(f"main.{table}"),
        "preview": dg.MetadataValue.md(
            tabulate(preview, headers=relation.columns, tablefmt="pipe", disable_numparse=True)
        ),
    }
