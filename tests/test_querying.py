"""Ad-hoc querying: self-describing tables, CSV beside Parquet, `make query`, `make shell`, the report file."""

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, Pipeline

from pipelines.assets.sql_models import load_models

MODELS = {m.name: m for m in load_models() if not m.is_macro}  # the published tables
MACROS = [m.name for m in load_models() if m.is_macro]


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Pipeline:
    pipeline = Pipeline(warehouse_dir=tmp_path_factory.mktemp("query") / "warehouse")
    assert pipeline.run().success
    return pipeline


def test_every_table_and_column_explains_itself(published):
    comments = dict(published.query("select table_name, comment from duckdb_tables() where not internal"))
    assert set(comments) == set(MODELS) and all(comments.values())
    assert comments["round_trips"] == MODELS["round_trips"].description
    columns = published.query("select table_name, column_name, comment from duckdb_columns() where not internal")
    assert [(t, c) for t, c, comment in columns if not comment] == []
    [(meaning,)] = published.query("select comment from duckdb_columns() where table_name = 'deal_flows' "
                                   "and column_name = 'amount_usd'")
    assert meaning == MODELS["deal_flows"].columns["amount_usd"] and "USD" in meaning
    cli = Path(sys.executable).parent / "duckdb"  # a DuckDB 1.x client sees them too
    out = subprocess.run([cli, "-readonly", "-csv", "-noheader", str(published.snapshot), "-c",
                          "select comment from duckdb_tables() where table_name = 'money_cycles'"],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip().strip('"').startswith("Money cycles:")


def test_table_macros_are_in_the_snapshot(published):
    functions = {f for (f,) in published.query("select function_name from duckdb_functions() "
                                               "where function_type = 'table_macro'")}
    assert set(MACROS) == {"flows_as_of", "scenario_flows_as_of"} and set(MACROS) <= functions


def test_csv_exports_beside_parquet(published):
    for table in MODELS:
        csv = published.snapshot.parent / "csv" / f"{table}.csv"
        parquet = published.snapshot.parent / "parquet" / f"{table}.parquet"
        assert published.query(f"select count(*) from read_csv('{csv}')") == published.query(
            f"select count(*) from '{parquet}'") == published.query(f"select count(*) from {table}"), table


def run_make(target: str, published: Pipeline, stdin: str | None = None, **variables):
    env = {**os.environ, "AIINFRA_WAREHOUSE_DIR": str(published.warehouse_dir)}
    args = ["make", "-s", target, *[f"{k}={v}" for k, v in variables.items()]]
    return subprocess.run(args, cwd=REPO, env=env, input=stdin, capture_output=True, text=True, timeout=120)


def test_make_query_prints_a_table(published):
    out = run_make("query", published, SQL="select investor, investee, circular_usd from round_trips "
                                           "order by circular_usd desc limit 5").stdout
    assert "investor" in out and "amazon" in out and "openai" in out and "│" in out


def test_make_shell_opens_the_snapshot_read_only(published):
    shell = run_make("shell", published, stdin="select count(*) as flows from deal_flows;\n"
                                                "create table x as select 1;\n")
    flows = sum(1 for _ in csv.DictReader((REPO / "data" / "deals.csv").open()))
    assert re.search(rf"\b{flows}\b", shell.stdout)
    assert "read-only" in shell.stderr  # the write was refused
    assert published.query("select count(*) from duckdb_tables() where table_name = 'x'") == [(0,)]


def test_report_is_self_contained(published):
    page = (published.snapshot.parent / "report.html").read_text()
    assert "<script" not in page and "<link" not in page
    resources = re.findall(r'(?:src|xlink:href|url\()\s*=?\s*"?(https?://[^"\s)]+)', page)
    assert resources == []  # only <a href> links to the cited sources point outside
    [(top,)] = published.query("select circular_usd from round_trips where scenario = 'headline' "
                               "order by circular_usd desc limit 1")
    assert f"${float(top) / 1e9:,.1f}B" in page
