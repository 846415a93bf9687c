"""make backfill: one run of price_history_job per day of the range, one after the other, over the project's
instance; each day's prices recorded and validated under that day, nothing published."""

import subprocess

import dagster as dg
import duckdb
import pytest
from conftest import REPO, environment

from pipelines import backfill


def test_each_day_of_the_range_is_one_run_and_its_prices_are_recorded(tmp_path, home, monkeypatch):
    warehouse = tmp_path / "warehouse"
    done = subprocess.run(
        ["make", "-s", "backfill", "FROM=2026-11-27", "TO=2026-11-28", f"DAGSTER_HOME={home}"],
        cwd=REPO,
        env=environment(home, warehouse),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "backfill: 2 day(s) recorded" in done.stdout
    with duckdb.connect(str(warehouse / "ai_infra.duckdb"), read_only=True) as conn:
        recorded = conn.execute(
            "select run_day::varchar, count(*) > 0 from clean_price_observations group by 1 order by 1"
        ).fetchall()
    assert recorded == [("2026-11-27", True), ("2026-11-28", True)]
    assert not (warehouse / "published").exists()  # nothing published
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs()
    assert sorted((r.job_name, r.tags["dagster/partition"], r.status.value) for r in runs) == [
        ("price_history_job", "2026-11-27", "SUCCESS"),
        ("price_history_job", "2026-11-28", "SUCCESS"),
    ]


def test_a_range_that_ends_before_it_starts_is_refused(capsys):
    with pytest.raises(SystemExit) as refused:
        backfill.main(["2026-11-28", "2026-11-27"])
    assert refused.value.code == 2 and "is before FROM" in capsys.readouterr().err
    assert backfill.days(backfill.date(2026, 2, 27), backfill.date(2026, 3, 1)) == [
        "2026-02-27",
        "2026-02-28",
        "2026-03-01",
    ]
