"""Model and metrics: one asset per sql/<group>/<name>.sql, all in one subsettable step (build_sql_layer).

Each model or metrics file is a single SELECT whose result becomes the table <name>. Its header
comment is the asset's description, and the `columns:` block at the end of the header documents each
column (the UI's column schema, and COMMENT ON in the published snapshot); a `...: every column of
<table>` line there stands for that table's documented columns. Dependencies are the tables and table
macros the query reads (`from x`, `join x`, `from x(...)`), so the lineage in the UI follows the SQL.

A file in sql/macros is one `create or replace macro <name>` statement: a table macro that models
and analysts call (flows_as_of(d)); it is created in the warehouse and in the published snapshot.
Queries see the run's day as getvariable('run_day'): the run's partition, else today (UTC), and the
setting AIINFRA_MAX_CYCLES as getvariable('max_cycles').
"""

import dataclasses
import functools
import graphlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from pipelines.freshness import published_freshness
from pipelines.resources import MAX_CYCLES, SQL_DIR, PipelineSettings
from pipelines.warehouse import table_metadata

if TYPE_CHECKING:  # sql_checks imports SqlModel from here
    from pipelines.assets.sql_checks import SqlCheck

GROUPS = ("macros", "model", "metrics")
_READS = re.compile(r"\b(?:from|join)\s+([a-z_][a-z0-9_]*)", re.IGNORECASE)
_INHERIT = re.compile(r"every column of ([a-z_][a-z0-9_]*)")


@dataclass(frozen=True)
class SqlModel:
    name: str
    group: str
    path: Path
    description: str
    query: str
    columns: dict[str, str] = field(default_factory=dict)  # column -> what it means

    @property
    def is_macro(self) -> bool:
        return self.group == "macros"

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
        return self.query if self.is_macro else f"create or replace table {self.name} as\n{self.query}"

    def column_lineage(self) -> dict[str, tuple[str, list[str]]]:
        """column -> (table, its columns it is computed from), for a plain select from one table
        (no CTEs, joins or unions); {} where lineage cannot be read off the query this simply."""
        return _column_lineage(self.query)


@functools.cache
def _parser() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()  # in memory, and only its SQL parser is used: nothing is read


@functools.cache  # the code location is loaded several times per process (dg launch: 6)
def _column_lineage(query: str) -> dict[str, tuple[str, list[str]]]:
    tree = json.loads(_parser().execute("select json_serialize_sql(?)", [query]).fetchone()[0])
    node = tree["statements"][0]["node"] if not tree.get("error") else {}
    if node.get("type") != "SELECT_NODE" or node["cte_map"]["map"] or node["from_table"]["type"] != "BASE_TABLE":
        return {}
    source = node["from_table"]["table_name"]
    lineage = {}
    for expression in node["select_list"]:
        inputs = sorted(set(_column_refs(expression)))
        name = expression["alias"] or (inputs[0] if expression["class"] == "COLUMN_REF" else "")
        if name and inputs:
            lineage[name] = (source, inputs)
    return lineage


def _column_refs(expression) -> list[str]:
    if isinstance(expression, dict):
        found = [expression["column_names"][-1]] if expression.get("class") == "COLUMN_REF" else []
        return found + [c for value in expression.values() for c in _column_refs(value)]
    if isinstance(expression, list):
        return [c for item in expression for c in _column_refs(item)]
    return []


def load_models(sql_dir: Path = SQL_DIR) -> list[SqlModel]:
    models = [SqlModel.from_file(p) for group in GROUPS for p in sorted((sql_dir / group).glob("*.sql"))]
    documented = {m.name: m.columns for m in models}

    def expand(columns: dict[str, str]) -> dict[str, str]:
        inherited = _INHERIT.fullmatch(columns.get("...", ""))
        if not inherited:
            return columns
        out = {}
        for name, meaning in columns.items():
            out.update(expand(documented[inherited.group(1)]) if name == "..." else {name: meaning})
        return out

    return [dataclasses.replace(m, columns=expand(m.columns)) for m in models]


def set_variables(conn: duckdb.DuckDBPyConnection, day: str, max_cycles: int) -> None:
    """What the SQL reads with getvariable(): the run's day and the AIINFRA_MAX_CYCLES setting."""
    conn.execute("set variable run_day = ?::date", [day])
    conn.execute("set variable max_cycles = ?::bigint", [max_cycles])


def in_dependency_order(models: list[SqlModel]) -> list[SqlModel]:
    """The models, each after every model it reads."""
    by_name = {m.name: m for m in models}
    order = graphlib.TopologicalSorter({m.name: m.reads() & by_name.keys() - {m.name} for m in models})
    return [by_name[name] for name in order.static_order()]


def create_tables(conn: duckdb.DuckDBPyConnection, models: list[SqlModel], names: list[str], day: str,
                  max_cycles: int = MAX_CYCLES) -> None:
    """Create the tables (and macros) `names` and every model they read, in dependency order, as of `day`:
    the SQL on its own, without Dagster (property tests, benchmarks). Tables that already exist are inputs."""
    by_name = {m.name: m for m in models}
    done = {t for (t,) in conn.execute("select table_name from duckdb_tables()").fetchall()}
    needed, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name not in needed and name not in done:
            needed.add(name)
            todo += [t for t in by_name[name].reads() if t in by_name]
    set_variables(conn, day, max_cycles)
    for model in in_dependency_order(models):
        if model.name in needed:
            conn.execute(model.create_statement())


def run_day(context: dg.AssetExecutionContext) -> str:
    """The day a run is for: its partition (every asset of a partitioned run sees it), else today."""
    return context.run.tags.get("dagster/partition") or datetime.now(timezone.utc).date().isoformat()


def build_sql_spec(model: SqlModel, table_owners: dict[str, str]) -> dg.AssetSpec:
    deps = sorted({table_owners[t] for t in model.reads() if t in table_owners and table_owners[t] != model.name})
    return dg.AssetSpec(
        model.name,
        deps=deps,
        group_name="model" if model.is_macro else model.group,  # a macro is part of the model
        kinds={"duckdb", "sql"},
        owners=["team:data"],
        description=model.description,
        metadata={
            "sql_file": dg.MetadataValue.path(str(model.path.relative_to(SQL_DIR.parent))),
            **({} if model.is_macro else {
                "dagster/column_schema": dg.TableSchema(columns=[
                    dg.TableColumn(name, "", description=meaning) for name, meaning in model.columns.items()]),
                **_lineage_metadata(model),
            }),
        },
        freshness_policy=published_freshness,
    )


def _lineage_metadata(model: SqlModel) -> dict:
    lineage = model.column_lineage()
    if not lineage:
        return {}
    return {"dagster/column_lineage": dg.TableColumnLineage(deps_by_column={
        column: [dg.TableColumnDep(asset_key=dg.AssetKey(table), column_name=c) for c in inputs]
        for column, (table, inputs) in lineage.items()})}


def build_sql_layer(upstream_tables: dict[str, str], models: list[SqlModel],
                    checks: list["SqlCheck"]) -> dg.AssetsDefinition:
    """The SQL layer: one asset per model, each with its lineage, checks and metadata in the UI, computed in one
    step (a step per table cost Dagster ~0.1 s of bookkeeping each, far more than the SQL). The step can be
    subset: it creates the selected tables in dependency order, each followed by its selected checks
    (sql_checks.SqlCheck). `upstream_tables` maps tables written by other assets to those assets. A failing
    check (all block) fails the step once every selected table and check has run, so nothing is published."""
    owners = {**upstream_tables, **{m.name: m.name for m in models}}
    checks_of = {m.name: [c for c in checks if c.asset == m.name] for m in models}

    @dg.multi_asset(
        name="sql_layer",
        specs=[build_sql_spec(m, owners) for m in models],
        check_specs=[c.spec for c in checks],
        can_subset=True,
        pool="duckdb",
    )
    def _sql_layer(context: dg.AssetExecutionContext, duckdb: DuckDBResource, settings: PipelineSettings):
        with duckdb.get_connection() as conn:
            set_variables(conn, run_day(context), settings.max_cycles)
            for model in in_dependency_order(models):
                if dg.AssetKey(model.name) in context.selected_asset_keys:
                    conn.execute(model.create_statement())
                    yield dg.MaterializeResult(asset_key=model.name, metadata=(
                        {"definition": dg.MetadataValue.md(f"```sql\n{model.query}\n```")} if model.is_macro
                        else table_metadata(conn, model.name, model.columns)))
                for check in checks_of[model.name]:
                    if dg.AssetCheckKey(dg.AssetKey(check.asset), check.name) in context.selected_asset_check_keys:
                        yield check.evaluate(conn)

    return _sql_layer
