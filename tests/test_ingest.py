"""Reading CSV sources: DuckDB's reader (the fast path) gives exactly what the csv-module parser gives, line
numbers included, and declines the files it cannot number by position, which the exact parser then reads."""

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import FIXTURES, REPO

from pipelines.assets.ingest import SOURCES, parse_csv, read_simple_csv
from pipelines.resources import DATA_DIR

BY_NAME = {s.name: s for s in SOURCES}
SOURCE_FILES = [p for p in [*DATA_DIR.glob("*.csv"), *FIXTURES.rglob("*.csv")] if p.stem in BY_NAME]


def both_ways(path: Path, source_name: str, tmp_path: Path) -> tuple[list, list] | None:
    """(rows read by the fast path, rows read by the exact parser), or None when the fast path declines."""
    source = BY_NAME[source_name]
    with duckdb.connect(str(tmp_path / "read.duckdb")) as conn:
        if not read_simple_csv(conn, source, path, str(path), "fast"):
            return None
        fast = conn.execute("select * from fast order by source_line").fetchall()
        conn.register("exact", parse_csv(path.read_text(encoding="utf-8"), str(path)).assign(**source.constant_columns))
        exact = conn.execute("select * from exact order by source_line").fetchall()
    return fast, exact


@pytest.mark.parametrize("path", SOURCE_FILES, ids=[str(p.relative_to(REPO)) for p in SOURCE_FILES])
def test_the_fast_path_reads_every_bundled_and_fixture_file_as_the_exact_parser_does(path, tmp_path):
    fast, exact = both_ways(path, path.stem, tmp_path)
    assert fast == exact


def test_the_fast_path_reads_generated_big_files_as_the_exact_parser_does(tmp_path):
    subprocess.run(
        [
            sys.executable,
            REPO / "benchmarks" / "gen_scale.py",
            tmp_path / "data",
            "--flows",
            "5000",
            "--companies",
            "10",
            "--prices",
            "5000",
            "--days",
            "20",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    for name in ("deals", "deal_events", "chip_prices"):
        fast, exact = both_ways(tmp_path / "data" / f"{name}.csv", name, tmp_path)
        assert len(fast) > 500 and fast == exact, name


HEADER = "flow_id,event_on,event,source_url,quote\n"
QUOTED_LINE_BREAK = HEADER + 'f1,2025,closed,https://a.example,"two\nlines"\nf2,2025,closed,https://a.example,x\n'
BLANK_LINES = HEADER + "f1,2025,closed,https://a.example,x\n\nf2,2025,closed,https://a.example,y\n"
SPACES_AND_BOM = (
    "\ufeff" + HEADER + " f1 ,2025,closed,https://a.example,\u00a0x\u2003\nf2,2025,closed,https://a.example,  "
)


@pytest.mark.parametrize(
    ("text", "lines", "fast_path"),
    [
        (QUOTED_LINE_BREAK, [2, 4], False),
        (BLANK_LINES, [2, 4], False),
        (SPACES_AND_BOM, [2, 3], True),
    ],
    ids=["quoted line break", "blank lines", "spaces, BOM, no last line break"],
)
def test_the_fast_path_declines_what_it_cannot_number_by_position(text, lines, fast_path, tmp_path):
    path = tmp_path / "deal_events.csv"
    path.write_text(text, encoding="utf-8")
    read = both_ways(path, "deal_events", tmp_path)
    assert (read is not None) == fast_path
    assert list(parse_csv(text, str(path)).source_line) == lines
    if read:
        fast, exact = read
        assert fast == exact
        assert [(row[0], row[1], row[-1]) for row in fast] == [(2, "f1", "x"), (3, "f2", None)]


def test_the_fast_path_keeps_odd_column_names(tmp_path):
    path = tmp_path / "deal_events.csv"
    path.write_text(
        'flow_id,event_on,event,source_url,quote,"say ""hi""",it\'s\nf1,2025,closed,https://a.example,q, x ,y\n'
    )
    fast, exact = both_ways(path, "deal_events", tmp_path)
    assert fast == exact == [(2, "f1", "2025", "closed", "https://a.example", "q", "x", "y")]


def test_the_fast_path_trims_only_what_python_strips(tmp_path):
    # Whitespace at either end of any value, in rows beside untouched ones; the control character that joins a
    # row's values for the search, inside and at the end of values, next to spaces; values that are all spaces.
    path = tmp_path / "deal_events.csv"
    path.write_text(
        HEADER
        + "\u3000f1,2025,closed,https://a.example,q\u2028\n"
        + "f2,2025,closed,https://a.example,a \x01 b\n"
        + "f3,2025 ,closed,https://a.example,x\x01\n"
        + "f4,2025,closed,https://a.example,\x01 \n"
        + "f5,   ,closed,https://a.example,\u00a0\n"
        + "f6,2025,closed,https://a.example,in side\n",
        encoding="utf-8",
    )
    fast, exact = both_ways(path, "deal_events", tmp_path)
    assert fast == exact
    assert [(row[1], row[2], row[5]) for row in fast] == [
        ("f1", "2025", "q"),
        ("f2", "2025", "a \x01 b"),
        ("f3", "2025", "x\x01"),
        ("f4", "2025", "\x01"),
        ("f5", None, None),
        ("f6", "2025", "in side"),
    ]
