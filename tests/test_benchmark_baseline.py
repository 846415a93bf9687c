"""The benchmark baseline (benchmarks/bare_duckdb.py) runs the same sql/ files on the bundled data, so
its timing in BENCHMARKS.md compares like with like; it must keep up with the models it times."""

import csv
import subprocess
import sys

import duckdb
from conftest import REPO

from pipelines.sql_files import load_models


def test_bare_duckdb_baseline_builds_every_published_table_and_macro(tmp_path):
    subprocess.run(
        [sys.executable, REPO / "benchmarks" / "bare_duckdb.py", tmp_path],
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=120,
    )
    models = load_models()
    with duckdb.connect(str(tmp_path / "published.duckdb"), read_only=True) as conn:
        tables = {t for (t,) in conn.execute("select table_name from duckdb_tables()").fetchall()}
        macros = {
            f
            for (f,) in conn.execute(
                "select function_name from duckdb_functions() where function_type = 'table_macro'"
            ).fetchall()
        }
        flows = conn.execute("select count(*) from deal_flows").fetchone()[0]
    assert tables == {m.name for m in models if not m.is_macro}
    assert macros >= {m.name for m in models if m.is_macro}
    assert flows == len(list(csv.DictReader((REPO / "data" / "deals.csv").open(encoding="utf-8"))))
