"""Ad-hoc querying: self-describing tables, CSV beside Parquet, `make query`, `make shell` (which
write nothing), the report file."""

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, Pipeline, published_fingerprint

from pipelines import query
from pipelines.sql_files import load_models

MODELS = {m.name: m for m in load_models() if not m.is_macro}  # the published tables
MACROS = [m.name for m in load_models() if m.is_macro]


def test_every_table_and_column_explains_itself(bundled):
    comments = dict(bundled.query("select table_name, comment from duckdb_tables() where not internal"))
    assert set(comments) == set(MODELS) and all(comments.values())
    assert comments["round_trips"] == MODELS["round_trips"].description
    columns = bundled.query("select table_name, column_name, comment from duckdb_columns() where not internal")
    assert [(t, c) for t, c, comment in columns if not comment] == []
    # What is published is exactly what the SQL headers document (and docs/tables.md shows).
    assert {(t, c): comment for t, c, comment in columns} == {
        (m.name, c): meaning for m in MODELS.values() if not m.is_macro for c, meaning in m.columns.items()
    }
    [(scenario,)] = bundled.query(
        "select comment from duckdb_columns() where table_name = 'round_trips' and column_name = 'scenario'"
    )
    assert scenario == MODELS["scenario_flows"].columns["scenario"]  # `scenario: as in scenario_flows`
    [(meaning,)] = bundled.query(
        "select comment from duckdb_columns() where table_name = 'deal_flows' and column_name = 'amount_usd'"
    )
    assert meaning == MODELS["deal_flows"].columns["amount_usd"] and "USD" in meaning
    cli = Path(sys.executable).parent / "duckdb"  # a DuckDB 1.x client sees them too
    out = subprocess.run(
        [
            cli,
            "-readonly",
            "-csv",
            "-noheader",
            str(bundled.snapshot),
            "-c",
            "select comment from duckdb_tables() where table_name = 'money_cycles'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip().strip('"').startswith("Money cycles:")


def test_table_macros_are_in_the_snapshot(bundled):
    functions = {
        f for (f,) in bundled.query("select function_name from duckdb_functions() where function_type = 'table_macro'")
    }
    assert set(MACROS) == {"flows_as_of", "scenario_flows_as_of"} and set(MACROS) <= functions


def test_csv_exports_beside_parquet(bundled):
    for table in MODELS:
        csv = bundled.snapshot.parent / "csv" / f"{table}.csv"
        parquet = bundled.snapshot.parent / "parquet" / f"{table}.parquet"
        assert (
            bundled.query(f"select count(*) from read_csv('{csv}')")
            == bundled.query(f"select count(*) from '{parquet}'")
            == bundled.query(f"select count(*) from {table}")
        ), table


def run_make(target: str, pipeline: Pipeline, stdin: str | None = None, **variables):
    # a wide terminal, so that no value is cut short in the printed table
    env = {**os.environ, "AIINFRA_WAREHOUSE_DIR": str(pipeline.warehouse_dir), "COLUMNS": "400"}
    args = ["make", "-s", target, *[f"{k}={v}" for k, v in variables.items()]]
    return subprocess.run(args, cwd=REPO, env=env, input=stdin, capture_output=True, text=True, timeout=120)


def test_make_query_prints_a_table(bundled):
    out = run_make(
        "query",
        bundled,
        SQL="select investor, investee, circular_usd from round_trips order by circular_usd desc limit 5",
    ).stdout
    assert "investor" in out and "amazon" in out and "openai" in out and "│" in out


def test_make_shell_opens_the_snapshot_read_only(bundled):
    shell = run_make("shell", bundled, stdin="select count(*) as flows from deal_flows;\ncreate table x as select 1;\n")
    flows = sum(1 for _ in csv.DictReader((REPO / "data" / "deals.csv").open()))
    assert re.search(rf"\b{flows}\b", shell.stdout)
    assert "read-only" in shell.stderr  # the write was refused
    assert bundled.query("select count(*) from duckdb_tables() where table_name = 'x'") == [(0,)]


def test_report_is_self_contained(bundled):
    page = (bundled.snapshot.parent / "report.html").read_text()
    assert "<script" not in page and "<link" not in page
    resources = re.findall(r'(?:src|xlink:href|url\()\s*=?\s*"?(https?://[^"\s)]+)', page)
    assert resources == []  # only <a href> links to the cited sources point outside
    [(top,)] = bundled.query(
        "select circular_usd from round_trips where scenario = 'headline' order by circular_usd desc limit 1"
    )
    assert f"${float(top) / 1e9:,.1f}B" in page
    # each vendor's latest reported backlog, beside the commitments to it, with the filing it comes from
    [(rpo, filed_on)] = bundled.query(
        "select value_usd, filed_on from reported_financials where company_id = 'google' and concept = 'rpo' "
        "order by period_end desc limit 1"
    )
    backlog = page[page.index('id="backlog-table"') :]
    assert f"${rpo / 1e9:,.1f}B" in backlog and f"10-Q of {filed_on.isoformat()}" in backlog


@pytest.fixture
def own(bundled, tmp_path) -> Pipeline:
    """This test's own warehouse, with a copy of the published directory for it to try to damage."""
    pipeline = Pipeline(warehouse_dir=tmp_path / "warehouse")
    shutil.copytree(bundled.settings.published_dir, pipeline.settings.published_dir, symlinks=True)
    return pipeline


def run_query(sql: str, pipeline: Pipeline):
    env = {**os.environ, "AIINFRA_WAREHOUSE_DIR": str(pipeline.warehouse_dir)}
    return subprocess.run(
        [Path(sys.executable).parent / "ai-infra-query", sql], env=env, capture_output=True, text=True, timeout=120
    )


QUERY_TOOLS = {"ai-infra-query": run_query, "make query": lambda sql, p: run_make("query", p, SQL=sql)}
WRITES = {  # each would write under published/ (or fetch and run code) if it were allowed
    "copy to the snapshot": "copy (select 42 as x) to '{published}/ai_infra.duckdb' (format csv)",
    "copy to a csv": "copy (select 42 as x) to '{published}/csv/round_trips.csv' (format csv)",
    "copy to the report": "copy (select 'gone' as x) to '{published}/report.html' (format csv)",
    "attach a new file": "attach '{published}/extra.duckdb' as extra; create table extra.t as select 42 as x",
    "create table": "create table t as select 42 as x",
    "export database": "export database '{published}/export'",
    "install": "install httpfs",
    "load": "load httpfs",
}


@pytest.mark.parametrize("statement", WRITES)
def test_query_refuses_to_write(own, statement, monkeypatch, capsys):
    """Every kind of write, through the query tool's own code (both commands below run it)."""
    published = own.settings.published_dir
    before = published_fingerprint(published)
    monkeypatch.setenv("AIINFRA_WAREHOUSE_DIR", str(own.warehouse_dir))
    assert query.main([WRITES[statement].format(published=published)]) == 1
    err = capsys.readouterr().err
    assert "Query failed:" in err and "read-only" in err
    assert published_fingerprint(published) == before


@pytest.mark.parametrize("tool", QUERY_TOOLS)
def test_both_query_commands_refuse_to_write(own, tool):
    published = own.settings.published_dir
    before = published_fingerprint(published)
    result = QUERY_TOOLS[tool](WRITES["copy to the snapshot"].format(published=published), own)
    assert result.returncode != 0
    assert "Query failed:" in result.stderr and "read-only" in result.stderr
    assert published_fingerprint(published) == before


def test_query_cannot_write_into_the_spill_directory(own):
    # DuckDB lets a query write into its temp directory (beside the snapshot) even with external
    # access off; a query that spilled to disk would have left that directory there.
    [(spill,)] = own.query("select current_setting('temp_directory')")
    Path(spill).mkdir()
    result = run_query(f"copy (select 42 as x) to '{spill}/x.csv' (format csv)", own)
    assert result.returncode == 1 and "read-only" in result.stderr
    assert list(Path(spill).iterdir()) == []


@pytest.mark.parametrize("tool", QUERY_TOOLS)
def test_query_reads_the_tables_and_macros(own, tool):
    sql = (
        "select (select count(*) from deal_flows) as flows, "
        "(select count(*) from flows_as_of(date '2025-12-31')) as flows_end_2025, "
        "(select count(*) from scenario_flows_as_of(date '2025-12-31')) as scenario_flows_end_2025"
    )
    [(flows, then, scenario_then)] = own.query(sql)
    assert 0 < then <= flows and scenario_then > 0
    result = QUERY_TOOLS[tool](sql, own)
    assert result.returncode == 0
    assert re.search(rf"│\s+{flows}\s+│\s+{then}\s+│\s+{scenario_then}\s+│", result.stdout)


def test_make_query_passes_the_sql_through_unexpanded(own, tmp_path):
    marker = tmp_path / "marker"
    texts = [
        f"$(shell touch {marker})",
        f"`touch {marker}`",
        "$HOME $$HOME ${HOME}",
        'it\'s "quoted"; with a semicolon',
    ]
    values = ", ".join("('" + text.replace("'", "''") + "')" for text in texts)
    result = run_make("query", own, SQL=f"select v from (values {values}) t(v)")
    assert result.returncode == 0
    assert [text for text in texts if text not in result.stdout] == []
    assert not marker.exists()


def test_make_shell_writes_nothing_and_runs_no_command(own, tmp_path):
    cli = Path(sys.executable).parent / "duckdb"  # where this CLI would spill (see the spill test above)
    spill = Path(
        subprocess.run(
            [
                cli,
                "-readonly",
                "-list",
                "-noheader",
                str(own.snapshot),
                "-c",
                "select current_setting('temp_directory')",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    spill.mkdir()
    published = own.settings.published_dir
    before = published_fingerprint(published)
    marker = tmp_path / "marker"
    shell = run_make(
        "shell",
        own,
        stdin=f"copy (select 42 as x) to '{own.snapshot}' (format csv);\n"
        f"copy (select 42 as x) to '{spill}/x.csv' (format csv);\n"
        f".shell touch {marker}\n"
        "set enable_external_access = true;\n"
        "select 'still open' as s;\n",
    )
    assert shell.stderr.count("file system operations are disabled by configuration") == 2
    assert ".sh/.system cannot be used in -safe mode" in shell.stderr
    assert "the configuration has been locked" in shell.stderr
    assert "still open" in shell.stdout
    assert published_fingerprint(published) == before and list(spill.iterdir()) == []
    assert not marker.exists()
