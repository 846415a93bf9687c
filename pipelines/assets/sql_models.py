"""Model and metrics: one asset per sql/<group>/<name>.sql, all made by one factory.

Each file is a single SELECT whose result becomes the table <name>. Its header comment is the
asset's description, and the `columns:` block at the end of the header documents each column (the
UI's column schema, and COMMENT ON in the published snapshot). Dependencies are the tables the query
reads (`from x`, `join x`), so the lineage in the UI follows the SQL itself.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.freshness import published_freshness
from pipelines.resources import SQL_DIR
from pipelines.warehouse import table_metadata

GROUPS = ("model", "metrics")
_READS = re.compile(r"\b(?:from|join)\s+([a-z_][a-z0-9_]*)", re.IGNORECASE)


@dataclass(frozen=True)
class SqlModel:
    name: str
    group: str
    path: Path
    description: str
    query: str
    columns: dict[str, str] = field(default_factory=dict)  # column -> what it means

    @classmethod
    def from_file(cls, path: Path) -> "SqlModel":
        text = path.read_text(encoding="utf-8")
        header, columns, in_columns = [], {}, False
        for line in text.splitlines():
            if not line.startswith("--"):
                break
            line = line.removeprefix("--").strip()
            if line == "columns:":
                in_columns = True
            elif in_columns and ":" in line:
                name, meaning = line.split(":", 1)
                columns[name.strip()] = meaning.strip()
            elif line and not in_columns:
                header.append(line)
        return cls(path.stem, path.parent.name, path, " ".join(header), text.strip().rstrip(";"), columns)

    def reads(self) -> set[str]:
        code = re.sub(r"--[^\n]*", "", self.query)
        return {name.lower() for name in _READS.findall(code)}

    def create_statement(self) -> str:
        return f"create or replace table {self.name} as\n{self.query}"


def load_models(sql_dir: Path = SQL_DIR) -> list[SqlModel]:
    return [SqlModel.from_file(p) for group in GROUPS for p in sorted((sql_dir / group).glob("*.sql"))]


def build_sql_asset(model: SqlModel, table_owners: dict[str, str]) -> dg.AssetsDefinition:
    deps = sorted({table_owners[t] for t in model.reads() if t in table_owners and table_owners[t] != model.name})

    @dg.asset(
        name=model.name,
        deps=deps,
        group_name=model.group,
        kinds={"duckdb", "sql"},
        owners=["team:data"],
        description=model.description,
        metadata={
            "sql_file": dg.MetadataValue.path(str(model.path.relative_to(SQL_DIR.parent))),
            "dagster/column_schema": dg.TableSchema(
                columns=[dg.TableColumn(name, "", description=meaning) for name, meaning in model.columns.items()]),
        },
        pool="duckdb",
        freshness_policy=published_freshness,
    )
    def _sql_asset(duckdb: DuckDBResource) -> dg.MaterializeResult:
        with duckdb.get_connection() as conn:
            conn.execute(model.create_statement())
            return dg.MaterializeResult(metadata=table_metadata(conn, model.name, model.columns))

    return _sql_asset


def build_sql_assets(upstream_tables: dict[str, str], models: list[SqlModel]) -> list[dg.AssetsDefinition]:
    """One asset per SQL model; `upstream_tables` maps tables written by other assets to those assets."""
    owners = {**upstream_tables, **{m.name: m.name for m in models}}
    return [build_sql_asset(m, owners) for m in models]
