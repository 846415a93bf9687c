"""Publishing: one version switched in at once, spreadsheet-safe CSV, and no leftovers."""

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from conftest import BIN, INFO_LOGS, REPO, SMALL, TODAY, Pipeline, assert_consistent, environment, published_fingerprint

from pipelines import published
from pipelines.assets.publish import CSV_MAX_ROWS, EXPORT_FORMATS, _write_files
from pipelines.resources import DATA_DIR, Warehouse

GOOD = list(csv.DictReader((SMALL / "deals.csv").open()))


def write_deals(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(GOOD[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


FORMULAS = [
    '=HYPERLINK("http://x.invalid","click")',
    "=cmd|' /C calc'!A0",
    "@SUM(A1:A2)",
    "+1+1",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
]


def test_formula_cells_are_neutralised_in_csv_and_exact_in_parquet_and_the_database(tmp_path):
    rows = [{**GOOD[i], "note": formula} for i, formula in enumerate(FORMULAS)] + GOOD[len(FORMULAS) :]
    pipeline = Pipeline(
        tmp_path / "warehouse",
        data_dir=SMALL,
        price_sources=[],
        deals_source=str(write_deals(tmp_path / "deals.csv", rows)),
    )
    assert pipeline.run().success
    out = pipeline.snapshot.parent
    exact = dict(pipeline.query("select flow_id, note from deal_flows"))
    exported = {r["flow_id"]: r["note"] for r in csv.DictReader((out / "csv" / "deal_flows.csv").open(newline=""))}
    with duckdb.connect() as conn:
        parquet = dict(conn.execute(f"select flow_id, note from '{out}/parquet/deal_flows.parquet'").fetchall())
    for row, formula in zip(rows[: len(FORMULAS)], FORMULAS, strict=True):
        assert exact[row["flow_id"]] == parquet[row["flow_id"]] == formula.strip()  # values are trimmed on input
        assert exported[row["flow_id"]] == "'" + formula.strip()
    plain = GOOD[len(FORMULAS)]["flow_id"]
    assert exported[plain] == (exact[plain] or "")
    # numbers stay numbers: a negative amount is not text and is not prefixed
    assert all(
        not cell.startswith("'")
        for r in csv.DictReader((out / "csv" / "deal_flows.csv").open())
        for key, cell in r.items()
        if key in ("amount_usd", "term_years")
    )


def test_a_table_too_long_for_a_spreadsheet_has_parquet_but_no_csv(tmp_path):
    staged = tmp_path / "staged"
    for fmt in EXPORT_FORMATS:
        (staged / fmt).mkdir(parents=True)
    tables = {"fits": CSV_MAX_ROWS, "too_long": CSV_MAX_ROWS + 1}
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        for table, rows in tables.items():
            conn.execute(f"create table {table} as select range as n, 'row ' || range as label from range({rows})")
        _write_files(conn.cursor(), staged, list(tables), [t for t, rows in tables.items() if rows <= CSV_MAX_ROWS])
        for table, rows in tables.items():
            assert conn.execute(f"select count(*) from '{staged}/parquet/{table}.parquet'").fetchone()[0] == rows
    assert [p.name for p in (staged / "csv").iterdir()] == ["fits.csv"]
    with (staged / "csv" / "fits.csv").open() as f:
        assert sum(1 for _ in f) == 1_048_576  # a spreadsheet's every line, the header one of them


def test_a_kill_while_publishing_leaves_the_old_set_and_the_next_run_cleans_up(tmp_path, home):
    warehouse = tmp_path / "warehouse"
    bundled = Pipeline(warehouse)
    assert bundled.run().success
    before = published_fingerprint(warehouse / "published")
    old = assert_consistent(warehouse / "published")

    bundled_rows = list(csv.DictReader((DATA_DIR / "deals.csv").open()))
    smaller = tmp_path / "deals.csv"  # another version, easy to tell apart
    with smaller.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(bundled_rows[0]))
        writer.writeheader()
        writer.writerows(r for r in bundled_rows if not r["superseded_by"])
    log = (tmp_path / "killed.log").open("w")
    proc = subprocess.Popen(
        [BIN / "dg", "launch", "--job", "daily_job", "--partition", TODAY, "--config-json", INFO_LOGS],
        cwd=REPO,
        env=environment(home, warehouse, AIINFRA_DEALS_SOURCE=str(smaller), AIINFRA_DEAL_EVENTS_SOURCE="none"),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    versions = warehouse / "published" / "versions"
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:  # until the staging directory holds CSV files
        staged = [p for p in versions.glob(f"{published.STAGING}*/csv/*.csv")]
        if len(staged) >= 3:
            break
        time.sleep(0.01)
    assert proc.poll() is None, (tmp_path / "killed.log").read_text()
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()

    assert list(versions.glob(f"{published.STAGING}*"))  # the killed run's half-written version...
    assert published_fingerprint(warehouse / "published") == before  # ...which no reader sees
    assert assert_consistent(warehouse / "published") == old

    assert bundled.run().success  # the next run (another instance: the run lock is the warehouse's own)
    new = assert_consistent(warehouse / "published")
    assert new["version"] != old["version"] and not list(versions.glob(f"{published.STAGING}*"))
    assert sorted(p.name for p in versions.iterdir()) == sorted([old["version"], new["version"]])


def test_only_the_newest_versions_are_kept_and_staging_leftovers_go(tmp_path):
    versions = tmp_path / "published" / "versions"
    names = [f"20261101T0000{i:02d}Z-run{i}" for i in range(5)]
    for name in [*names, f"{published.STAGING}deadrun"]:
        (versions / name).mkdir(parents=True)
    (tmp_path / "published" / "current").symlink_to(f"versions/{names[0]}")  # a reader's old version stays
    (tmp_path / "published" / ".current.new").symlink_to("versions/none")  # a link a killed run left
    published.clean(tmp_path / "published")
    assert sorted(p.name for p in versions.iterdir()) == sorted([names[0], *names[-published.KEEP_VERSIONS :]])
    assert not (tmp_path / "published" / ".current.new").is_symlink()


def test_the_layout_before_versions_is_taken_over_in_a_path_with_a_quote(tmp_path):
    out = tmp_path / "analyst's warehouse" / "published"
    (out / "csv").mkdir(parents=True)
    (out / "csv" / "deal_flows.csv").write_text("stale\n")
    (out / "ai_infra.duckdb").write_text("stale")
    (out / ".ai_infra.duckdb.0123.tmp").write_text("left by a killed publish")
    pipeline = Pipeline(out.parent, data_dir=SMALL, price_sources=[])
    assert pipeline.run().success
    assert all((out / name).is_symlink() for name in published.STABLE)
    assert not list(out.glob(".*.tmp")) and not list((out / "versions").glob(f"{published.STAGING}*"))
    assert assert_consistent(out)["tables"]["deal_flows"] == len(GOOD)


def test_a_warehouse_locked_by_another_process_fails_naming_the_setting(tmp_path):
    db = tmp_path / "warehouse" / "ai_infra.duckdb"
    db.parent.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('holding', flush=True); time.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        warehouse = Warehouse(database=str(db), lock_wait_s=2)
        started = time.monotonic()
        with pytest.raises(dg.Failure) as failure:
            with warehouse.get_connection():
                pass
        assert 2 <= time.monotonic() - started < 10
        assert "retried for 2 s, AIINFRA_WAREHOUSE_LOCK_WAIT_S" in failure.value.description
        assert "Could not set lock" in failure.value.description
        started = time.monotonic()  # the run's next step does not wait as long again
        with pytest.raises(dg.Failure, match="AIINFRA_WAREHOUSE_LOCK_WAIT_S"):
            with warehouse.get_connection():
                pass
        assert time.monotonic() - started < 1
    finally:
        holder.kill()
        holder.wait()


def test_a_shared_copy_follows_each_version_and_a_copy_cut_short_is_never_seen(tmp_path):
    shared = tmp_path / "share" / "ai-infra"
    pipeline = Pipeline(
        tmp_path / "warehouse", data_dir=SMALL, price_sources=[], settings_overrides={"publish_uri": str(shared)}
    )
    assert pipeline.run().success
    local = pipeline.snapshot.parent
    first = assert_consistent(shared)
    assert published_fingerprint(shared) == published_fingerprint(local)

    # A copy cut short (a run killed while copying) is a staging directory: no reader sees it, the next
    # publish removes it.
    before = published_fingerprint(shared)
    leftover = published.staging_dir(shared, "killed-run")
    leftover.mkdir()
    (leftover / published.DB).write_text("half a database")
    assert published_fingerprint(shared) == before
    assert pipeline.run().success
    second = assert_consistent(shared)
    assert second["version"] != first["version"] and published_fingerprint(shared) == published_fingerprint(local)
    assert not list((shared / "versions").glob(f"{published.STAGING}*"))

    # A reader elsewhere attaches the stable name read-only, as the README shows.
    with duckdb.connect() as conn:
        conn.execute(f"attach '{shared / published.DB}' as ai_infra (read_only)")
        assert conn.execute("select count(*) from ai_infra.deal_flows").fetchone()[0] == len(GOOD)


def test_a_shared_copy_that_cannot_be_written_fails_the_run_naming_the_setting(tmp_path):
    not_a_directory = tmp_path / "share"
    not_a_directory.write_text("a file where the share should be")
    pipeline = Pipeline(
        tmp_path / "warehouse",
        data_dir=SMALL,
        price_sources=[],
        settings_overrides={"publish_uri": str(not_a_directory / "ai-infra")},
    )
    result = pipeline.run()
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert failure.step_key == "publish"
    assert f"AIINFRA_PUBLISH_URI={not_a_directory / 'ai-infra'}" in failure.step_failure_data.error.message
    assert assert_consistent(pipeline.snapshot.parent)["tables"]["deal_flows"] == len(GOOD)  # the local one is out
