"""Print what the last run published: each table with its row count, and how to query it."""

from __future__ import annotations

import sys

import duckdb

from pipelines.resources import build_resources


def main() -> int:
    settings = build_resources()["settings"]
    published, snapshot = settings.published_dir, settings.published_db
    if not snapshot.exists():
        print(f"No snapshot at {snapshot}: the job has not published yet.", file=sys.stderr)
        return 1
    with duckdb.connect(str(snapshot), read_only=True) as conn:
        tables = conn.execute(
            "select table_name, estimated_size from duckdb_tables() where schema_name = 'main' order by table_name"
        ).fetchall()
        print(f"\nPublished {snapshot}")
        for name, _ in tables:
            rows = conn.execute(f'select count(*) from "{name}"').fetchone()[0]
            print(f"  {name:<24} {rows:>6} rows   parquet/{name}.parquet, csv/{name}.csv")
    print(f"\nReport: {published / 'report.html'} (open it in a browser; it needs no network)")
    print("\nQuery it read-only, e.g.:\n"
          "  make query SQL=\"select * from round_trips order by circular_usd desc limit 5\"\n"
          "  make shell\n"
          "  make query SQL=\"select flow_id, status from flows_as_of(date '2025-12-31') limit 5\"   # any past day\n"
          f"  python -c \"import duckdb; print(duckdb.connect('{snapshot}', read_only=True)"
          ".sql('from money_cycles limit 5'))\"")
    return 0


if __name__ == "__main__":
    sys.exit(main())
