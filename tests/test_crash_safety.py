"""Runs that die, runs that overlap, and a publish cut short: the next run goes on, readers never see a mix.

Each test runs the real job (`dg launch`, `make run`) in its own process group over its own Dagster
instance and warehouse; a local HTTP server that holds the deals request keeps a run inside a step
that holds the `duckdb` pool for as long as the test needs.
"""

import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from conftest import BIN, INFO_LOGS, REPO, SMALL, TODAY, Pipeline, assert_consistent, environment, published_fingerprint
from dagster._core.storage.dagster_run import DagsterRun, DagsterRunStatus
from dagster._core.utils import make_new_run_id
from werkzeug import Response

from pipelines.resources import DATA_DIR
from pipelines.runs import TAG_HOST, TAG_PROCESS, TAG_WAREHOUSE, process_id
from pipelines.sensors import dead_runs


@pytest.fixture
def held_deals(httpserver):
    """A deals URL that answers only when the test releases it (at the latest when the test ends)."""
    asked, release = threading.Event(), threading.Event()

    def answer(request):
        asked.set()
        release.wait(timeout=300)
        return Response((DATA_DIR / "deals.csv").read_text(), content_type="text/csv")

    httpserver.expect_request("/deals.csv").respond_with_handler(answer)
    yield httpserver.url_for("/deals.csv"), asked, release
    release.set()


def launch(home: Path, warehouse: Path, log: Path, **settings) -> subprocess.Popen:
    """The daily job as `make run` launches it, in a process group of its own."""
    return subprocess.Popen(
        [BIN / "dg", "launch", "--job", "daily_job", "--partition", TODAY, "--config-json", INFO_LOGS],
        cwd=REPO,
        env=environment(home, warehouse, **settings),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def make(target: str, home: Path, warehouse: Path, timeout: float, **settings) -> subprocess.CompletedProcess:
    """`make <target>` as a user runs it over this instance and warehouse, in a session of its own."""
    return subprocess.run(
        ["make", "-s", target, f"DAGSTER_HOME={home}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=environment(home, warehouse, **settings),
        timeout=timeout,
        start_new_session=True,
    )


def finish(proc: subprocess.Popen, log: Path, timeout: float = 300) -> tuple[int, str]:
    try:
        proc.wait(timeout=timeout)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode, log.read_text()


def kill(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def pool_holders(home: Path) -> set[str]:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        return {slot.run_id for slot in instance.event_log_storage.get_concurrency_info("duckdb").claimed_slots}


def run_statuses(home: Path) -> dict[str, DagsterRunStatus]:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        return {run.run_id: run.status for run in instance.get_runs()}


class Reader(threading.Thread):
    """An analyst who keeps the published snapshot open and queries it the whole time."""

    def __init__(self, snapshot: Path):
        super().__init__()
        self.conn = duckdb.connect(str(snapshot), read_only=True)
        self.seen, self.errors, self.done = set(), [], threading.Event()

    def run(self):
        try:
            while not self.done.is_set():
                self.seen.add(self.conn.execute("select count(*) from deal_flows").fetchone()[0])
                time.sleep(0.05)
        except Exception as err:  # noqa: BLE001 - any failure to read is the test's failure
            self.errors.append(err)

    def stop(self) -> set[int]:
        self.done.set()
        self.join()
        self.conn.close()
        assert not self.errors
        return self.seen


def test_a_killed_run_does_not_stop_the_next_make_run(tmp_path, home, held_deals):
    warehouse = tmp_path / "warehouse"
    bundled = Pipeline(warehouse)
    assert bundled.run().success  # the good snapshot readers hold: the bundled 152 flows
    reader = Reader(bundled.snapshot)
    reader.start()

    # A run killed while its raw_sources step (reading the deals) holds the pool.
    url, asked, _ = held_deals
    log = tmp_path / "killed.log"
    proc = launch(home, warehouse, log, AIINFRA_DEALS_SOURCE=url)
    assert asked.wait(timeout=180), log.read_text()
    kill(proc)
    [dead] = pool_holders(home)
    assert run_statuses(home)[dead] == DagsterRunStatus.STARTED  # what used to block every later run

    run = make("run", home, warehouse, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert f"Run {dead} was left STARTED but it ran on warehouse" in run.stdout + run.stderr
    assert run_statuses(home)[dead] == DagsterRunStatus.FAILURE and pool_holders(home) == set()
    assert reader.stop() == {152}  # the old snapshot stayed readable throughout
    assert assert_consistent(warehouse / "published")["tables"]["deal_flows"] == 152
    assert "Published version" in run.stdout


def test_a_second_run_is_refused_or_gives_up_on_the_pool_saying_who_holds_it(tmp_path, home, held_deals):
    url, asked, release = held_deals
    first = launch(home, tmp_path / "warehouse", tmp_path / "first.log", AIINFRA_DEALS_SOURCE=url)
    try:
        assert asked.wait(timeout=180), (tmp_path / "first.log").read_text()
        [holder] = pool_holders(home)

        # Both at once: the same warehouse is refused at once, whatever it would have read; another
        # warehouse of the same instance waits for the pool, says who holds it, then gives up.
        same_log, other_log = tmp_path / "same_warehouse.log", tmp_path / "other_warehouse.log"
        started = time.monotonic()
        same_run = launch(home, tmp_path / "warehouse", same_log)
        other_run = launch(home, tmp_path / "other", other_log, AIINFRA_POOL_WAIT_S="3")
        code, same = finish(same_run, same_log)
        assert code != 0 and f"is in use by run {holder}" in same and "one run per warehouse at a time" in same
        assert not (tmp_path / "warehouse" / "published").exists()
        code, other = finish(other_run, other_log)
        assert code != 0 and time.monotonic() - started < 120
        assert f"Waiting for the 'duckdb' pool, held by run {holder} (step raw_sources" in other
        assert "Gave up after 3 s (AIINFRA_POOL_WAIT_S=3)" in other and "make unstick" in other
        assert run_statuses(home)[holder] == DagsterRunStatus.STARTED  # a live holder is left alone
    finally:
        release.set()
    code, log = finish(first, tmp_path / "first.log")
    assert code == 0, log[-3000:]
    assert assert_consistent(tmp_path / "warehouse" / "published")["tables"]["deal_flows"] == 152


def dead_process() -> str:
    """The `pid:start time` of a process that has exited."""
    proc = subprocess.Popen(["sleep", "30"])
    ident = process_id(proc.pid)
    proc.kill()
    proc.wait()
    assert ident and process_id(proc.pid) is None
    return ident


def add_run(instance: dg.DagsterInstance, status: DagsterRunStatus, tags: dict, holds_slot: bool) -> str:
    """A run record as a run leaves it, holding the pool slot when it was killed inside a pooled step."""
    run = instance.add_run(DagsterRun(job_name="daily_job", run_id=make_new_run_id(), status=status, tags=tags))
    if holds_slot:
        storage = instance.event_log_storage
        storage.set_concurrency_slots("duckdb", 2)  # room for both runs of this test that hold one
        assert storage.claim_concurrency_slot("duckdb", run.run_id, "raw_sources").is_claimed
    return run.run_id


def test_make_unstick_and_the_dead_runs_sensor_fail_only_dead_runs(tmp_path, home):
    warehouse = tmp_path / "warehouse"
    here = {TAG_HOST: socket.gethostname()}
    with dg.DagsterInstance.from_config(str(home)) as instance:
        gone_process = dead_process()
        gone_pid = gone_process.split(":")[0]
        gone = add_run(
            instance,
            DagsterRunStatus.STARTED,
            {**here, TAG_PROCESS: gone_process, TAG_WAREHOUSE: str(tmp_path / "elsewhere")},
            True,
        )
        alive = add_run(
            instance,
            DagsterRunStatus.STARTED,
            {**here, TAG_PROCESS: process_id(os.getpid()), TAG_WAREHOUSE: str(tmp_path / "elsewhere")},
            False,
        )
        ended = add_run(instance, DagsterRunStatus.FAILURE, {}, True)  # failed, yet its slot was never freed
    unstick = make("unstick", home, warehouse, timeout=120)
    assert unstick.returncode == 0, unstick.stdout + unstick.stderr
    assert f"Run {gone} was left STARTED but its process (pid {gone_pid}" in unstick.stdout
    assert f"Freed the 'duckdb' pool slots still held by ended run {ended}" in unstick.stdout
    assert "Marked 1 dead run(s) failed. The 'duckdb' pool is free." in unstick.stdout
    statuses = run_statuses(home)
    assert (statuses[gone], statuses[alive], statuses[ended]) == (
        DagsterRunStatus.FAILURE,
        DagsterRunStatus.STARTED,
        DagsterRunStatus.FAILURE,
    )

    # The sensor does the same with the daemon up: a run of this warehouse, whose lock is free, is dead.
    with dg.DagsterInstance.from_config(str(home)) as instance:
        orphan = add_run(instance, DagsterRunStatus.STARTED, {TAG_WAREHOUSE: str(warehouse.resolve())}, True)
        settings = Pipeline(warehouse).settings
        result = dead_runs(dg.build_sensor_context(instance=instance, resources={"settings": settings}))
        assert result.skip_message == "marked 1 dead run(s) failed"
        assert instance.get_run_by_id(orphan).status == DagsterRunStatus.FAILURE
        assert instance.get_run_by_id(alive).status == DagsterRunStatus.STARTED
        assert pool_holders(home) == set()
        result = dead_runs(dg.build_sensor_context(instance=instance, resources={"settings": settings}))
        assert result.skip_message == "no dead runs"


def test_make_run_says_which_version_readers_still_see_when_the_job_fails(tmp_path, home):
    warehouse = tmp_path / "warehouse"
    assert Pipeline(warehouse, data_dir=SMALL, price_sources=[]).run().success
    before = published_fingerprint(warehouse / "published")
    version = before["current"]
    header_only = tmp_path / "deals.csv"
    header_only.write_text((DATA_DIR / "deals.csv").read_text().splitlines()[0] + "\n")
    run = make("run", home, warehouse, timeout=600, AIINFRA_DEALS_SOURCE=str(header_only))
    assert run.returncode != 0
    assert "Source deals has no rows" in run.stderr + run.stdout and "AIINFRA_ALLOW_EMPTY_SOURCES" in run.stderr
    assert (
        f"The daily job failed (the failing step's error is above) and published nothing: readers still see "
        f"version {version}"
    ) in run.stdout
    assert published_fingerprint(warehouse / "published") == before
