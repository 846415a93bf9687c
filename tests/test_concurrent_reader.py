"""An analyst holding the published snapshot open never blocks the daily job, nor sees a half-written one."""

import csv
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
from conftest import TODAY, Pipeline

REPO = Path(__file__).parent.parent


def test_job_publishes_while_a_reader_holds_the_snapshot(tmp_path):
    first = Pipeline(warehouse_dir=tmp_path / "warehouse")
    assert first.run().success

    # The next run publishes fewer flows, so old and new snapshots are easy to tell apart.
    bundled = list(csv.DictReader((REPO / "data" / "deals.csv").open()))
    rows = [r for r in bundled if not r["superseded_by"]][:40]
    smaller = tmp_path / "deals.csv"
    with smaller.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    reader = duckdb.connect(str(first.snapshot), read_only=True)
    seen, errors, done = set(), [], threading.Event()

    def read_until_done():
        try:
            while not done.is_set():
                flows = reader.execute("select count(*) from deal_flows").fetchone()[0]
                counted = reader.execute(
                    "select count(*) from scenario_flows where flow_id not in (select flow_id from deal_flows)"
                ).fetchone()[0]
                seen.add((flows, counted))
                time.sleep(0.01)  # ~100 reads a second, and a core left for the job (spinning took one)
        except Exception as err:  # noqa: BLE001 - any failure to read is the test's failure
            errors.append(err)

    thread = threading.Thread(target=read_until_done)
    thread.start()
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "VIRTUAL_ENV": sys.prefix,
        "AIINFRA_WAREHOUSE_DIR": str(first.warehouse_dir),
        "AIINFRA_DEALS_SOURCE": str(smaller),
    }
    try:
        job = subprocess.run(
            [Path(sys.executable).parent / "dg", "launch", "--job", "daily_job", "--partition", TODAY],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            start_new_session=True,
        )
    finally:
        done.set()
        thread.join()
    assert job.returncode == 0, job.stdout[-3000:] + job.stderr[-3000:]
    assert not errors
    assert seen == {(len(bundled), 0)}  # only ever the old snapshot, whole
    assert reader.execute("select count(*) from deal_flows").fetchone()[0] == len(bundled)
    reader.close()
    assert first.query("select count(*) from deal_flows") == [(40,)]  # a new reader sees the new run
