"""Model and metrics: one asset per sql/<group>/<name>.sql, all made by one factory.

Each file is a single SELECT whose result becomes the table <name>; its header comment is the
asset's description. Dependencies are the tables the query reads (`from x`, `join x`), so the
lineage in the UI follows the SQL itself.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

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

    @classmethod
    def from_file(cls, path: Path) -> "SqlModel":
        text = path.read_text(encoding="utf-8")
        header = []
        for line in text.splitlines():
            if not line.startswith("--"):
                break
            header.append(line.removeprefix("--").strip())
        return cls(path.stem, path.parent.name, path, " ".join(header), text.strip().rstrip(";"))

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
        metadata={"sql_file": dg.MetadataValue.path(str(model.path.relative_to(SQL_DIR.parent)))},
        pool="duckdb",
    )
    def _sql_asset(duckdb: DuckDBResource) -> dg.MaterializeResult:
        with duckdb.get_connection() as conn:
            conn.execute(model.create_statement())
            return dg.MaterializeResult(metadata=table_metadata(conn, model.name))

    return _sql_asset


def build_sql_assets(upstream_tables: dict[str, str], sql_dir: Path = SQL_DIR) -> list[dg.AssetsDefinition]:
    """One asset per SQL file; `upstream_tables` maps tables written by other assets to those assets."""
    models = load_models(sql_dir)
    owners = {**upstream_tables, **{m.name: m.name for m in models}}
    return [build_sql_asset(m, owners) for m in models]
