"""What `make run` prints at its end: what was published (each table with its row count, and how to query
it) and what changed since the last run, or, after a failure, which version readers still see.

    python -m pipelines.summary                    # after a good run
    python -m pipelines.summary --version          # the current version's name (empty before any)
    python -m pipelines.summary --failed VERSION   # after a failed run that started with VERSION current
"""

from __future__ import annotations

import argparse
import sys

import duckdb

from pipelines import published, report
from pipelines.resources import settings_from_env


def _described(manifest: dict | None) -> str:
    if manifest is None:
        return "nothing is published yet"
    return (
        f"readers still see version {manifest['version']} (run {manifest['run_id']}, day {manifest['partition']}, "
        f"published {manifest['published_at']})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="store_true", help="print the current version's name")
    parser.add_argument("--failed", metavar="VERSION", help="report on a failed run that began with VERSION current")
    args = parser.parse_args(argv)
    settings = settings_from_env()
    out, snapshot = settings.published_dir, settings.published_db
    manifest = published.current_version(out)
    if args.version:
        print(manifest["version"] if manifest else "")
        return 0
    if args.failed is not None:
        if manifest is not None and manifest["version"] != args.failed:
            print(f"\nThe daily job failed after publishing version {manifest['version']} (see the error above).")
        else:
            print(
                f"\nThe daily job failed (the failing step's error is above) and published nothing: "
                f"{_described(manifest)}."
            )
        return 0
    if manifest is None:
        print(f"No snapshot at {snapshot}: the job has not published yet.", file=sys.stderr)
        return 1
    print(f"\nPublished version {manifest['version']} (day {manifest['partition']}) as {snapshot}")
    with duckdb.connect(str(snapshot), read_only=True) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "select table_name from duckdb_tables() where schema_name = 'main' order by table_name"
            ).fetchall()
        ]
        for name in names:
            [(rows,)] = conn.execute(f'select count(*) from "{name}"').fetchall()
            print(f"  {name:<24} {rows:>6} rows   parquet/{name}.parquet, csv/{name}.csv")
        changes = report.change_lines(conn)
    print(f"\nReport: {out / published.REPORT} (open it in a browser; it needs no network)")
    print(
        "\nQuery it read-only, e.g.:\n"
        '  make query SQL="select * from round_trips order by circular_usd desc limit 5"\n'
        "  make shell\n"
        "  make query SQL=\"select flow_id, status from flows_as_of(date '2025-12-31') limit 5\"   # any past day\n"
        f"  python -c \"import duckdb; print(duckdb.connect('{snapshot}', read_only=True)"
        ".sql('from money_cycles limit 5'))\""
    )
    print("\nSince the last run:\n" + "\n".join(f"  {line}" for line in changes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
