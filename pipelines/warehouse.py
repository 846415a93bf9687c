"""Small helpers shared by the assets that read and write the DuckDB warehouse."""

from __future__ import annotations

import dagster as dg
import duckdb
from tabulate import tabulate


def quoted(text: str) -> str:
    """`text` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def table_metadata(
    conn: duckdb.DuckDBPyConnection, table: str, descriptions: dict[str, str] | None = None, preview_rows: int = 5
) -> dict:
    """Row count, column schema (with each column's meaning, when known) and a small preview of
    `table`, for the Dagster UI."""
    relation = conn.table(f'"{table}"')  # its columns and types without a catalog query
    columns = [(name, str(data_type)) for name, data_type in zip(relation.columns, relation.types, strict=True)]
    [(rows,)] = conn.execute(f'select count(*) from "{table}"').fetchall()
    # tabulate on the rows themselves: by way of a pandas frame it took three times as long, per table per run
    preview = [
        ["" if value is None else str(value) for value in row] for row in relation.limit(preview_rows).fetchall()
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
