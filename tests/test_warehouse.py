"""The metadata every table asset reports to Dagster: row count, column schema and a preview of bounded size."""

import duckdb

from pipelines.warehouse import PREVIEW_CHARS, table_metadata


def test_the_preview_cuts_long_cells_and_keeps_counts_and_columns_whole(tmp_path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        # a metric row citing a million flows, beside short cells and a NULL
        conn.execute(
            """create table cites as
            select 'firm' as scenario, [printf('flow-%07d', i) for i in range(1000000)] as flow_ids, null as note
            union all select 'headline', ['flow-1'], 'short'"""
        )
        metadata = table_metadata(conn, "cites", {"flow_ids": "the flows behind the row"})
    assert metadata["dagster/row_count"].value == 2
    assert [(c.name, c.type, c.description) for c in metadata["dagster/column_schema"].columns] == [
        ("scenario", "varchar", None),
        ("flow_ids", "varchar[]", "the flows behind the row"),
        ("note", "varchar", None),
    ]
    lines = metadata["preview"].value.splitlines()
    assert len(metadata["preview"].value) < 1000
    long_cell = lines[2].split("|")[2].strip()
    assert len(long_cell) == PREVIEW_CHARS and long_cell.endswith("…") and long_cell.startswith("[flow-0000000, ")
    assert lines[3].split("|")[2].strip() == "[flow-1]" and lines[3].split("|")[3].strip() == "short"
