"""The parsing and splitting helpers behind the pandera checks, called directly."""

from datetime import date

import duckdb
import polars as pl
from conftest import FIXTURES

from pipelines import validation as v


def text(values) -> pl.DataFrame:
    return pl.DataFrame({"t": values}, schema={"t": pl.String})


def test_partial_dates_keep_their_precision_and_reject_the_rest():
    days, precision = v.parse_partial_date(pl.col("t"))
    parsed = text(["2025-09-22", "2025-09", "2025", "2025-13", "Sept 2025", None]).select(days, precision.alias("p"))
    assert parsed["t"].to_list() == [date(2025, 9, 22), date(2025, 9, 1), date(2025, 1, 1), None, None, None]
    assert parsed["p"].to_list() == ["day", "month", "year", None, None, None]


def test_numbers_are_plain_numbers_only():
    values = text(["12", "1.5e9", " 7 ", "5 billion", "1,000", "nan", "1_000", None])
    assert values.select(v.as_number(pl.col("t")))["t"].to_list() == [12, 1.5e9, 7, None, None, None, None, None]


def test_alias_map_resolves_every_spelling_case_insensitively():
    aliases = v.alias_map([("amazon", "Amazon", "Amazon (AWS);AWS")])
    assert {aliases[s] for s in ("amazon", "amazon (aws)", "aws")} == {"amazon"}
    resolved = text(["  AWS ", "Amazon", "Azure", None]).select(v.resolve_company(pl.col("t"), aliases))
    assert resolved["t"].to_list() == ["amazon", "amazon", None, None]
    assert v.alias_map([("amazon", "Amazon", None)]) == {"amazon": "amazon"}  # no aliases: an empty cell
    companies = pl.DataFrame(
        {"company_id": ["amazon"], "name": ["Amazon"], "aliases": [None], "kind": ["hyperscaler"],
         "is_big_three": ["true"], "cik": ["1018724"]},
        schema_overrides={"aliases": pl.String},
    )  # fmt: skip
    assert v.companies_schema().validate(companies, lazy=True).equals(companies)  # alias_taken runs on it


def test_split_rows_rejects_rows_that_only_point_at_a_rejected_row():
    raw = pl.DataFrame(
        {"source_line": [2, 3, 4, 5], "flow_id": ["a", "b", "c", "a"], "n": ["1", "-1", "2", "3"],
         "superseded_by": [None, None, "b", None]},
        schema_overrides={"superseded_by": pl.String},
    )  # fmt: skip
    superseded_by = pl.col("superseded_by")
    schema = v.pa.DataFrameSchema(
        {"flow_id": v._text(unique=True), "n": v._number()},
        checks=[
            v._row_check(
                "successor_missing", lambda: superseded_by.is_null() | superseded_by.is_in(pl.col("flow_id").implode())
            )
        ],
    )
    clean, rejected = v.split_rows(raw, schema, "raw_x", "flow_id", date(2026, 1, 1))
    assert clean["flow_id"].to_list() == ["a"]
    assert rejected.select("row_ref", "check_name", "reason").rows() == [
        ("line 5: a", "field_uniqueness", "duplicate flow_id 'a': an earlier row already uses it"),
        ("line 3: b", "negative", "n '-1' is negative"),
        ("line 4: c", "successor_missing", "superseded_by 'b' names no flow in this file (or one that was rejected)"),
    ]


def test_chunks_hold_whole_groups_of_about_the_chunk_size():
    from pipelines.assets.validate import chunks

    with duckdb.connect() as conn:
        conn.execute(
            "create table t as select i + 2 as source_line, day as observed_on from "
            "(values (0, '2025-05-01'), (1, '2025-05-01'), (2, '2025-05-02'), (3, '2025-05-02'), "
            "(4, '2025-05-02'), (5, null), (6, '2025-05-03')) as v(i, day)"
        )
        query = "select * from t"

        # 2 rows a chunk: groups by day in order (the row without a day first, a group of its own); a chunk
        # takes every group that starts within its 2 rows, so the day of 3 rows stays whole
        def lines(chunk_by, chunk_rows):
            return [f["source_line"].to_list() for f in chunks(conn, query, chunk_by, chunk_rows)]

        assert lines("observed_on", 2) == [[2, 3, 7], [4, 5, 6], [8]]
        assert lines("observed_on", 100) == [[2, 3, 4, 5, 6, 7, 8]]
        assert lines(None, 2) == [[2, 3, 4, 5, 6, 7, 8]]
        [empty] = chunks(conn, "select * from t where false", "observed_on", 2)
        assert empty.columns == ["source_line", "observed_on"] and empty.is_empty()


def test_every_column_typed_as_a_number_or_date_is_checked_as_one():
    """Typing reads the values the checks parsed, so every number or date column of every clean table must be one
    the schema parses (and checks); and a word in a number column (mem_bw_tb_s was typed, never checked: "fast"
    became NULL) is quarantined, not nulled."""
    from pipelines.assets.validate import PRICE_OBSERVATIONS, VALIDATIONS

    specs = {spec.name: spec for spec in [*VALIDATIONS, PRICE_OBSERVATIONS]}
    typed_as_numbers = {}
    for spec in specs.values():
        lookup = {} if spec.name == "deals" else set()  # company aliases for deals; known ids for the rest
        schema = spec.schema(lookup, date(2026, 1, 1))
        empty = pl.DataFrame(schema=dict.fromkeys(schema.columns, pl.String))
        typed = v.without_parsed(spec.to_typed(v.with_parsed(empty, schema), lookup))  # fails on an unparsed column
        numbers_and_dates = [c for c, kind in typed.schema.items() if kind in (pl.Float64, pl.Date)]
        unchecked = [c for c in numbers_and_dates if not (schema.columns[c].metadata or {}).get("parse")]
        assert unchecked == [], spec.name
        typed_as_numbers[spec.name] = [c for c in numbers_and_dates if typed.schema[c] == pl.Float64]
    assert "mem_bw_tb_s" in typed_as_numbers["chip_specs"] and "usd_per_chip_hour" in typed_as_numbers["chip_prices"]

    raw = pl.read_csv(FIXTURES / "small" / "chip_specs.csv", infer_schema=False).with_row_index("source_line", 2)
    raw = raw.with_columns(pl.col("source_line").cast(pl.Int64), pl.col("mem_bw_tb_s").replace("3.35", "fast"))
    clean, rejected = v.split_rows(raw, v.chip_specs_schema(), "raw_chip_specs", "chip", date(2026, 1, 1))
    assert rejected.select("row_ref", "column_name", "check_name").rows() == [
        ("line 2: H100", "mem_bw_tb_s", "not_a_number")
    ]
    typed = v.without_parsed(specs["chip_specs"].to_typed(clean, None))
    assert typed.height == raw.height - 1 and typed.columns == raw.columns
    assert typed.schema["mem_bw_tb_s"] == pl.Float64 and typed["mem_bw_tb_s"].null_count() == 0
