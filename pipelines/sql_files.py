"""The SQL files: each model's query, documentation and dependencies, read without Dagster.

Each sql/<group>/<name>.sql in model/ or metrics/ is a single SELECT whose result becomes the table
<name>. Its header comment says what the table means (the asset's description), and the `columns:`
block at the end of the header documents each column (the UI's column schema, and COMMENT ON in the
published snapshot, docs/tables.md). Each meaning is written once: a column that means what a column of
another table means says `<column>: as in <table>`, and a `...: every column of <table>` line stands for
all of that table's documented columns. A file in sql/macros is one `create or replace macro <name>(...)
as table <select>` statement: a table macro that models and analysts call (flows_as_of(d)).

What a query reads comes from DuckDB's own parser (json_serialize_sql): every table in a from clause,
join, comma join or subquery, less the query's CTEs, and every table macro called. Queries see the run's
day as getvariable('run_day') and the setting AIINFRA_MAX_CYCLES as getvariable('max_cycles').

The Dagster assets are built from these in pipelines/assets/sql_models.py; the benchmark's bare DuckDB
script orders the same files with the same code.
"""

import dataclasses
import functools
import graphlib
import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
GROUPS = ("macros", "model", "metrics")
PREVIOUS = "previous"  # the catalog a model reads the snapshot this run replaces from (changes.sql)
MAX_CYCLES = 10_000  # default of AIINFRA_MAX_CYCLES: money cycles listed per scenario, largest bottleneck first
_EVERY_COLUMN = re.compile(r"every column of ([a-z_][a-z0-9_]*)")
_AS_IN = re.compile(r"as in ([a-z_][a-z0-9_]*)")
# The header comment, then `create or replace macro <name>(<parameters>) as table`: what precedes a macro's SELECT.
_MACRO_HEAD = re.compile(
    r"^(\s*--[^\n]*\n)*\s*create\s+or\s+replace\s+macro\s+\w+\s*\([^)]*\)\s+as\s+table\s+", re.IGNORECASE
)


class UnknownTableError(ValueError):
    """A model reads a table that nothing creates."""


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

    def select(self) -> str:
        """The query's SELECT: for a macro, its body."""
        return _MACRO_HEAD.sub("", self.query) if self.is_macro else self.query

    def reads(self) -> tuple[frozenset[str], frozenset[str]]:
        """(tables, table functions) the query reads; the functions include DuckDB's own (unnest, range)."""
        return _reads(self.select())

    def reads_previous(self) -> frozenset[str]:
        """The tables the query reads as they were in the snapshot this run replaces (`previous.main.<table>`)."""
        return _previous_reads(self.select())

    def create_statement(self) -> str:
        return self.query if self.is_macro else f"create or replace table {self.name} as\n{self.query}"

    def column_lineage(self) -> dict[str, tuple[str, list[str]]]:
        """column -> (table, its columns it is computed from), for a plain select from one table
        (no CTEs, joins or unions); {} where lineage cannot be read off the query this simply."""
        return _column_lineage(self.query)


@functools.cache
def _parser() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()  # in memory, and only its SQL parser is used: nothing is read


def _tree(query: str) -> dict:
    [(serialized,)] = _parser().execute("select json_serialize_sql(?)", [query]).fetchall()
    tree = json.loads(serialized)
    if tree.get("error"):
        raise ValueError(f"DuckDB cannot parse the query: {tree.get('error_message')}")
    return tree["statements"][0]["node"]


@functools.cache  # asked for every model on every load of the code location
def _read_names(query: str) -> tuple[frozenset[tuple[str, str]], frozenset[str]]:
    """((catalog, table) of every table the query reads, CTEs left out; the table functions it calls)."""
    tables: set[tuple[str, str]] = set()
    functions: set[str] = set()
    ctes: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("type") == "BASE_TABLE":
                tables.add((node.get("catalog_name", "").lower(), node["table_name"].lower()))
            elif node.get("type") == "TABLE_FUNCTION":
                functions.add(node["function"]["function_name"].lower())
            for cte in node.get("cte_map", {}).get("map", []):
                ctes.add(cte["key"].lower())
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(_tree(query))
    return frozenset((catalog, t) for catalog, t in tables if catalog or t not in ctes), frozenset(functions)


def _reads(query: str) -> tuple[frozenset[str], frozenset[str]]:
    tables, functions = _read_names(query)
    return frozenset(t for _, t in tables), functions


def _previous_reads(query: str) -> frozenset[str]:
    return frozenset(t for catalog, t in _read_names(query)[0] if catalog == PREVIOUS)


@functools.cache  # the code location is loaded several times per process (dg launch: 6)
def _column_lineage(query: str) -> dict[str, tuple[str, list[str]]]:
    try:
        node = _tree(query)
    except ValueError:  # a macro: no columns of its own
        return {}
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
    written = {m.name: m for m in models}

    @functools.cache
    def resolved(table: str) -> dict[str, str]:
        model, out = written[table], {}
        for name, text in model.columns.items():
            every, same = _EVERY_COLUMN.fullmatch(text), _AS_IN.fullmatch(text)
            if name == "..." and every:
                out.update(resolved(every.group(1)))
            elif same:
                other = resolved(same.group(1)) if same.group(1) in written else {}
                if name not in other:
                    raise ValueError(f"{model.path.name}: {name} is `{text}`, but {same.group(1)} documents no {name}")
                out[name] = other[name]
            else:
                out[name] = text
        return out

    return [dataclasses.replace(m, columns=resolved(m.name)) for m in models]


def _reads_of(model: SqlModel, names: set[str]) -> set[str]:
    tables, functions = model.reads()
    # table functions that are not macros are DuckDB's own (unnest, range, read_csv)
    return set(tables | (functions & names)) - {model.name}


def dependencies(models: list[SqlModel], inputs: set[str]) -> dict[str, set[str]]:
    """model -> the models and input tables it reads. A table that is neither a model nor one of `inputs`
    (the tables other steps write) is an error naming the file: the SQL would fail at run time."""
    names = {m.name for m in models}
    deps = {m.name: _reads_of(m, names) for m in models}
    for model in models:
        unknown = deps[model.name] - names - inputs
        if unknown:
            raise UnknownTableError(
                f"{model.path}: reads {', '.join(sorted(unknown))}, which no model or source asset creates"
            )
    return deps


def in_dependency_order(models: list[SqlModel], deps: dict[str, set[str]]) -> list[SqlModel]:
    """The models, each after every model it reads (`deps`: what dependencies() returns for them)."""
    by_name = {m.name: m for m in models}
    order = graphlib.TopologicalSorter({n: d & by_name.keys() for n, d in deps.items()})
    return [by_name[name] for name in order.static_order()]


def set_variables(conn: duckdb.DuckDBPyConnection, day: str, max_cycles: int) -> None:
    """What the SQL reads with getvariable(): the run's day and the AIINFRA_MAX_CYCLES setting."""
    conn.execute("set variable run_day = ?::date", [day])
    conn.execute("set variable max_cycles = ?::bigint", [max_cycles])


@contextmanager
def previous_snapshot(
    conn: duckdb.DuckDBPyConnection, snapshot: Path | None, version: str | None, tables: Iterable[str]
) -> Iterator[None]:
    """While in the block, `previous.main.<table>` is each of `tables` as the published `snapshot` (the one this
    run replaces) has it, read-only; a table it lacks, or every table when nothing is published yet
    (`snapshot` None), is empty with this run's columns. The variable compared_with is the snapshot's
    `version` (NULL when none). This run's `tables` must exist when the block is entered."""
    [(warehouse,)] = conn.execute("select current_database()").fetchall()
    conn.execute(f"attach ':memory:' as {PREVIOUS}")
    try:
        old: set[str] = set()
        if snapshot is not None:
            path = str(snapshot).replace("'", "''")
            conn.execute(f"attach '{path}' as {PREVIOUS}_snapshot (read_only)")
            old = {
                t
                for (t,) in conn.execute(
                    "select table_name from duckdb_tables() where database_name = ?", [f"{PREVIOUS}_snapshot"]
                ).fetchall()
            }
        for table in tables:
            source = f"{PREVIOUS}_snapshot.main.{table}" if table in old else f"{warehouse}.main.{table} limit 0"
            conn.execute(f"create view {PREVIOUS}.main.{table} as select * from {source}")
        conn.execute("set variable compared_with = ?::varchar", [version])
        yield
    finally:
        conn.execute(f"detach database if exists {PREVIOUS}")
        conn.execute(f"detach database if exists {PREVIOUS}_snapshot")


def create(
    conn: duckdb.DuckDBPyConnection, model: SqlModel, snapshot: Path | None = None, version: str | None = None
) -> None:
    """Create one model's table (or macro). A model that reads the snapshot this run replaces reads the published
    `snapshot` of `version` (None: nothing published yet), attached for the while (previous_snapshot)."""
    if not model.reads_previous():
        conn.execute(model.create_statement())
        return
    with previous_snapshot(conn, snapshot, version, model.reads_previous()):
        conn.execute(model.create_statement())


def create_tables(
    conn: duckdb.DuckDBPyConnection, models: list[SqlModel], names: list[str], day: str, max_cycles: int
) -> None:
    """Create the tables (and macros) `names` and every model they read, in dependency order, as of `day`:
    the SQL on its own, without Dagster (property tests, benchmarks). Tables that already exist are inputs."""
    existing = {t for (t,) in conn.execute("select table_name from duckdb_tables()").fetchall()}
    by_name = {m.name: m for m in models}
    needed: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name not in needed and name not in existing:
            needed.add(name)
            todo += _reads_of(by_name[name], set(by_name)) - existing
    set_variables(conn, day, max_cycles)
    subset = [by_name[n] for n in needed]
    for model in in_dependency_order(subset, dependencies(subset, existing)):
        create(conn, model)
