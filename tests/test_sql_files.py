"""What each SQL file reads, from DuckDB's parser: the dependencies behind the lineage and the run order."""

from pathlib import Path

import pytest

from pipelines.assets.sql_models import build_sql_layer
from pipelines.sql_files import UnknownTableError, dependencies, in_dependency_order, load_models


def write_sql(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_reads_comma_joins_subqueries_and_macros_but_not_ctes_or_duckdb_functions(tmp_path):
    sql = write_sql(
        tmp_path,
        {
            "macros/latest.sql": "-- The latest rows.\ncreate or replace macro latest(d) as table\n"
            "select * from base where day <= d",
            "model/joined.sql": "-- Rows of a and b.\n"
            "with picked as (select id from c where id in (select id from d))\n"
            "select a.id, extract(year from a.day) as year\n"
            "from a, b, picked, latest(date '2026-01-01') as l, unnest([1, 2]) as u(n)\n"
            "where a.id = b.id and exists (select 1 from e where e.id = a.id)",
        },
    )
    models = {m.name: m for m in load_models(sql)}
    tables, functions = models["joined"].reads()
    assert tables == {"a", "b", "c", "d", "e"}  # not the CTE `picked`, nor `a.day` after `from` in extract
    assert functions == {"latest", "unnest"}
    assert models["latest"].reads() == ({"base"}, set())
    deps = dependencies(list(models.values()), inputs={"a", "b", "c", "d", "e", "base"})
    assert deps == {"joined": {"a", "b", "c", "d", "e", "latest"}, "latest": {"base"}}
    assert [m.name for m in in_dependency_order(list(models.values()), deps)] == [
        "latest",
        "joined",
    ]


def test_a_table_nothing_writes_is_refused_naming_the_file(tmp_path):
    sql = write_sql(tmp_path, {"metrics/totals.sql": "-- Totals.\nselect * from deal_flows, missing_table"})
    models = load_models(sql)
    with pytest.raises(UnknownTableError, match=r"metrics/totals\.sql: reads missing_table, which no model"):
        dependencies(models, inputs={"deal_flows"})
    with pytest.raises(UnknownTableError, match="missing_table"):  # so the code location does not load
        build_sql_layer({"deal_flows": "deal_flows"}, models, [])


def test_the_bundled_models_read_only_tables_the_pipeline_writes():
    models = load_models()
    upstream = {
        f"{kind}_{source}"
        for kind in ("clean", "quarantined")
        for source in (
            "companies",
            "deals",
            "deal_events",
            "chip_specs",
            "assumptions",
            "chip_prices",
            "price_observations",
        )
    }
    deps = dependencies(models, upstream)
    assert deps["deal_flows"] == {"flows_as_of"}
    assert deps["money_cycles"] == {"money_edges"}
    assert deps["compute_equivalents"] == {"assumptions", "chip_specs", "price_performance", "scenario_flows"}
