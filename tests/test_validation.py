"""The parsing and splitting helpers behind the pandera checks, called directly."""

from datetime import date

import duckdb
import pandas as pd

from pipelines import validation as v


def text(values):
    return pd.Series(values, dtype="str")


def test_partial_dates_keep_their_precision_and_reject_the_rest():
    days, precision = v.parse_partial_date(text(["2025-09-22", "2025-09", "2025", "2025-13", "Sept 2025", None]))
    assert list(days[:3]) == [date(2025, 9, 22), date(2025, 9, 1), date(2025, 1, 1)]
    assert days[3:].isna().all()
    assert list(precision[:3]) == ["day", "month", "year"] and precision[3:].isna().all()


def test_numbers_are_plain_numbers_only():
    assert v.is_number(text(["12", "1.5e9", " 7 ", "5 billion", "1,000", None])).tolist() == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]


def test_alias_map_resolves_every_spelling_case_insensitively():
    companies = pd.DataFrame({"company_id": ["amazon"], "name": ["Amazon"], "aliases": ["Amazon (AWS);AWS"]})
    aliases = v.alias_map(companies)
    assert {aliases[s] for s in ("amazon", "amazon (aws)", "aws")} == {"amazon"}
    assert v.normalise_name(text(["  AWS "])).map(aliases).tolist() == ["amazon"]
    # a file where no company has aliases: the column is all missing (NaN in a text column)
    no_aliases = pd.DataFrame({"company_id": ["amazon"], "name": ["Amazon"], "aliases": text([None])})
    assert v.alias_map(no_aliases) == {"amazon": "amazon"}
    companies = no_aliases.assign(kind="hyperscaler", is_big_three="true", cik=text(["1018724"]))
    assert v.companies_schema().validate(companies, lazy=True).equals(companies)  # alias_taken runs on it


def test_split_rows_rejects_rows_that_only_point_at_a_rejected_row():
    raw = pd.DataFrame(
        {
            "source_line": [2, 3, 4],
            "flow_id": ["a", "b", "c"],
            "n": ["1", "-1", "2"],
            "superseded_by": [None, None, "b"],
        }
    ).astype({"flow_id": "str", "n": "str", "superseded_by": "str"})
    schema = v.pa.DataFrameSchema(
        {"n": v._number()},
        checks=[v._check("successor_missing", lambda d: d.superseded_by.isna() | d.superseded_by.isin(d.flow_id))],
    )
    clean, rejected = v.split_rows(raw, schema, "raw_x", "flow_id", date(2026, 1, 1))
    assert clean["flow_id"].tolist() == ["a"]
    assert rejected[["row_ref", "check_name", "reason"]].values.tolist() == [
        ["line 3: b", "negative", "n '-1' is negative"],
        ["line 4: c", "successor_missing", "superseded_by 'b' names no flow in this file (or one that was rejected)"],
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
        assert [list(f.source_line) for f in chunks(conn, query, "observed_on", 2)] == [[2, 3, 7], [4, 5, 6], [8]]
        assert [list(f.source_line) for f in chunks(conn, query, "observed_on", 100)] == [[2, 3, 4, 5, 6, 7, 8]]
        assert [list(f.source_line) for f in chunks(conn, query, None, 2)] == [[2, 3, 4, 5, 6, 7, 8]]
        [empty] = chunks(conn, "select * from t where false", "observed_on", 2)
        assert list(empty.columns) == ["source_line", "observed_on"] and empty.empty


def test_is_in_answers_as_pandas_isin_does():
    values = text(["a", None, "b ", "c", float("nan"), ""])
    for allowed in [{"a", "c"}, text(["a", "b ", None]), set()]:
        assert v.is_in(values, allowed).tolist() == values.isin(allowed).tolist()
    assert v.is_in(values, {"a", "c"}).tolist() == [True, False, False, True, False, False]
