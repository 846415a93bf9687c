"""What each SQL file reads, from DuckDB's parser: the dependencies behind the lineage and the run order."""

from pathlib import Path

import pytest

from pipelines import docs
from pipelines.assets.sql_models import build_sql_layer
from pipelines.assets.validate import PRICE_OBSERVATIONS, VALIDATIONS
from pipelines.sql_files import (
    GROUPS,
    SQL_DIR,
    SqlModel,
    UnknownTableError,
    dependencies,
    in_dependency_order,
    load_models,
)


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
    upstream = {f"{kind}_{v.name}" for kind in ("clean", "quarantined") for v in [*VALIDATIONS, PRICE_OBSERVATIONS]}
    deps = dependencies(models, upstream)
    assert deps["deal_flows"] == {"flows_as_of"}
    assert deps["money_cycles"] == {"money_edges"}
    assert deps["compute_equivalents"] == {"assumptions", "chip_specs", "price_performance", "scenario_flows"}
    assert deps["reported_financials"] == {"clean_company_facts"}


def test_a_column_meaning_is_written_once_and_referred_to_elsewhere(tmp_path):
    sql = write_sql(
        tmp_path,
        {
            "model/base.sql": "-- Base.\n-- Grain: one row per id.\n--\n-- columns:\n--   id: the thing's id\n"
            "--   usd: its price, USD\nselect 1 as id, 2 as usd",
            "model/wide.sql": "-- Wide.\n-- Grain: one row per id.\n--\n-- columns:\n--   ...: every column of base\n"
            "--   extra: one more\nselect *, 3 as extra from base",
            "metrics/narrow.sql": "-- Narrow.\n-- Grain: one row per id.\n--\n-- columns:\n--   usd: as in wide\n"
            "select usd from wide",
        },
    )
    models = {m.name: m for m in load_models(sql)}
    assert models["wide"].columns == {"id": "the thing's id", "usd": "its price, USD", "extra": "one more"}
    assert models["narrow"].columns == {"usd": "its price, USD"}  # through wide, to where it is written

    (sql / "metrics/narrow.sql").write_text(
        "-- Narrow.\n-- columns:\n--   cost: as in base\nselect usd as cost from base"
    )
    with pytest.raises(ValueError, match=r"narrow.sql: cost is `as in base`, but base documents no cost"):
        load_models(sql)


def test_no_two_columns_in_sql_spell_out_the_same_meaning():
    written = [
        (m.name, column, meaning)
        for m in (SqlModel.from_file(p) for group in GROUPS for p in sorted((SQL_DIR / group).glob("*.sql")))
        for column, meaning in m.columns.items()
        if not meaning.startswith(("as in ", "every column of "))
    ]
    seen: dict[str, tuple[str, str]] = {}
    repeated = [
        (seen.setdefault(meaning, (t, c)), (t, c)) for t, c, meaning in written if seen.get(meaning, (t, c)) != (t, c)
    ]
    assert repeated == []


def test_the_table_docs_come_from_the_headers(tmp_path):
    sql = write_sql(
        tmp_path,
        {
            "metrics/round_trips.sql": "-- Round trips: money out, e.g. capital, against money back. More here.\n"
            "-- Grain: one row per (scenario, pair). A note.\n--\n-- columns:\n--   scenario: headline | firm\n"
            "select 'headline' as scenario",
            "metrics/loose.sql": "-- Loose rows.\nselect 1 as x",
        },
    )
    models = {m.name: m for m in load_models(sql)}
    assert docs.summary(models["round_trips"]) == "Money out, e.g. capital, against money back."
    assert docs.grain(models["round_trips"]) == "(scenario, pair)"
    assert "| `round_trips` | (scenario, pair) | Money out, e.g. capital, against money back. |" in docs.table_list(
        [models["round_trips"]]
    )
    assert "| `scenario` | headline \\| firm |" in docs.tables_page([models["round_trips"]])
    with pytest.raises(ValueError, match="loose.sql: the header has no `Grain:` sentence"):
        docs.grain(models["loose"])
    readme = f"intro\n{docs.START}\nold list\n{docs.END}\nrest\n"
    assert docs.readme_with("new list", readme) == f"intro\n{docs.START}\nnew list\n{docs.END}\nrest\n"
    with pytest.raises(ValueError, match="no <!-- published-tables:start -->"):
        docs.readme_with("new list", "no markers")
