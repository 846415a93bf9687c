"""Run one query against the published snapshot, read-only, and print a readable table.

    ai-infra-query "select * from round_trips order by circular_usd desc limit 5"
    make query SQL="..."

It opens only $AIINFRA_WAREHOUSE_DIR/published/ai_infra.duckdb, read-only, so it never blocks a run.
"""

import argparse
import shutil
import sys

import duckdb

from pipelines.resources import build_resources


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sql", help="one SQL query over the published tables")
    parser.add_argument("--max-rows", type=int, default=40, help="rows to print (default 40)")
    args = parser.parse_args(argv)
    snapshot = build_resources()["settings"].published_db
    if not snapshot.exists():
        print(f"No published snapshot at {snapshot}: run `make run` first.", file=sys.stderr)
        return 1
    with duckdb.connect(str(snapshot), read_only=True) as conn:
        try:
            relation = conn.sql(args.sql)
        except duckdb.Error as err:
            print(f"Query failed: {err}", file=sys.stderr)
            return 1
        if relation is None:
            print("(statement ran; no rows)")
            return 0
        relation.show(max_rows=args.max_rows, max_width=shutil.get_terminal_size((160, 40)).columns)
    return 0


if __name__ == "__main__":
    sys.exit(main())
