"""Run one query against the published snapshot, read-only, and print a readable table.

    ai-infra-query "select * from round_trips order by circular_usd desc limit 5"
    make query SQL="..."      (make hands the text over as $AIINFRA_QUERY_SQL, unexpanded)

It opens only $AIINFRA_WAREHOUSE_DIR/published/ai_infra.duckdb, read-only, so it never blocks a run,
and with no access to any other file, so no statement can write anything.
"""

import argparse
import os
import shutil
import sys

import duckdb

from pipelines.resources import settings_from_env

# read_only=True alone still lets COPY TO, EXPORT DATABASE and ATTACH write any file, the published
# ones included. No external access stops those (and INSTALL/LOAD); temp_directory="" takes away the
# spill directory beside the snapshot, which DuckDB would otherwise still allow writes into; and the
# lock stops SET from undoing either.
LOCKED_DOWN: dict[str, str | bool | int | float | list[str]] = {
    "enable_external_access": False,
    "temp_directory": "",
    "lock_configuration": True,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "sql",
        nargs="?",
        default=os.environ.get("AIINFRA_QUERY_SQL"),
        help="one SQL query over the published tables (default: $AIINFRA_QUERY_SQL)",
    )
    parser.add_argument("--max-rows", type=int, default=40, help="rows to print (default 40)")
    args = parser.parse_args(argv)
    if not (args.sql or "").strip():
        parser.error('no query given: ai-infra-query "select ..." or make query SQL="select ..."')
    snapshot = settings_from_env().published_db
    if not snapshot.exists():
        print(f"No published snapshot at {snapshot}: run `make run` first.", file=sys.stderr)
        return 1
    with duckdb.connect(str(snapshot), read_only=True, config=LOCKED_DOWN) as conn:
        try:
            relation = conn.sql(args.sql)
        except duckdb.PermissionException as err:
            print(
                f"Query failed: {err}\n(this tool is read-only: it reads only the snapshot's tables, "
                "and cannot write or read files, attach databases or load extensions)",
                file=sys.stderr,
            )
            return 1
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
