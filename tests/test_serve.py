"""The production path: instance storage in a real PostgreSQL server, and `make serve` (webserver and daemon)
ticking the schedule and sensors over it, stopped by SIGTERM.

PostgreSQL is Debian's server (`make test` installs it), started in a temporary directory on a free
127.0.0.1 port; each test gets a database of its own.
"""

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg2
import pytest
import requests
from conftest import REPO, free_port, graphql, stop_group, wait_for

START_WAIT_S = 180  # the webserver and daemon each load the code location; two cores, the other test running


def _server_binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    if not found:
        pytest.fail("Debian's PostgreSQL server is not installed: `make test-packages` installs it (make test does)")
    return Path(found[-1]).parent


@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL server of this module's own; yields a function that creates a database and returns its URL.
    The server refuses to run as root, so as root it runs as Debian's `postgres` user."""
    binaries = _server_binaries()
    as_root = os.geteuid() == 0
    run_as = ["runuser", "-u", "postgres", "--"] if as_root else []
    base = Path(tempfile.mkdtemp(prefix="aiinfra-pg-"))  # not under pytest's tmp_path, which only root may enter
    data = base / "data"
    if as_root:
        pg = pwd.getpwnam("postgres")
        os.chown(base, pg.pw_uid, pg.pw_gid)
    subprocess.run(
        [*run_as, binaries / "initdb", "-D", data, "-U", "aiinfra", "-A", "trust", "-E", "UTF8", "--no-sync"],
        check=True,
        capture_output=True,
    )
    port = free_port()
    log = (base / "server.log").open("w")
    server = subprocess.Popen(
        [*run_as, binaries / "postgres", "-D", data, "-h", "127.0.0.1", "-p", str(port), "-k", base, "-F"],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    admin = f"postgresql://aiinfra@127.0.0.1:{port}/postgres"
    try:
        wait_for(
            "PostgreSQL",
            lambda: psycopg2.connect(admin).close() or True,
            60,
            base / "server.log",
            server,
            errors=(psycopg2.OperationalError,),
        )
        names = iter(range(1, 100))

        def database() -> str:
            name = f"instance_{next(names)}"
            conn = psycopg2.connect(admin)
            conn.autocommit = True  # create database refuses to run in a transaction
            try:
                conn.cursor().execute(f"create database {name}")
            finally:
                conn.close()
            return f"postgresql://aiinfra@127.0.0.1:{port}/{name}"

        yield database
    finally:
        stop_group(server, signal.SIGINT, grace=30)  # SIGINT: PostgreSQL's fast shutdown
        log.close()
        shutil.rmtree(base, ignore_errors=True)


def rows(url: str, sql: str) -> list[tuple]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def make(*args: str, env: dict, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(["make", "--no-print-directory", *args], cwd=REPO, env=env, **kwargs)


def settings(tmp_path: Path, url: str) -> dict:
    return {**os.environ, "AIINFRA_WAREHOUSE_DIR": str(tmp_path / "warehouse"), "AIINFRA_POSTGRES_URL": url}


def test_make_run_keeps_runs_and_materializations_in_postgres(postgres, tmp_path):
    url = postgres()
    home = tmp_path / "home"
    env = settings(tmp_path, url)
    run = make("run", f"DAGSTER_HOME={home}", env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out, _ = run.communicate(timeout=600)
    assert run.returncode == 0, out.decode()

    assert rows(url, "select pipeline_name, status from runs") == [("daily_job", "SUCCESS")]
    materialized = {
        key
        for (key,) in rows(
            url, "select distinct asset_key from event_logs where dagster_event_type = 'ASSET_MATERIALIZATION'"
        )
    }
    assert {'["deal_flows"]', '["round_trips"]', '["money_cycles"]', '["published_snapshot"]'} <= materialized
    assert len(materialized) >= 40
    # Nothing went to the SQLite storage a home directory gets by default.
    assert not (home / "history").exists() and not (home / "schedules").exists()
    assert "storage:\n  postgres:" in (home / "dagster.yaml").read_text()
    assert (tmp_path / "warehouse" / "published" / "ai_infra.duckdb").exists()


REPOSITORY = 'repositoryLocationName: "ai_infra", repositoryName: "__repository__"'
DAEMONS = "{ instance { daemonHealth { allDaemonStatuses { daemonType required healthy } } } }"
SENSOR_TICKS = (
    f'{{ sensorOrError(sensorSelector: {{{REPOSITORY}, sensorName: "dead_runs"}}) '
    "{ ... on Sensor { sensorState { status ticks(limit: 5) { status timestamp } } } } }"
)


def schedule_query(tick_at: int) -> str:
    return (
        f'{{ scheduleOrError(scheduleSelector: {{{REPOSITORY}, scheduleName: "daily_refresh"}}) '
        "{ ... on Schedule { scheduleState { status } "
        f"futureTick(tickTimestamp: {tick_at}) {{ evaluationResult {{ skipReason error {{ message }} "
        "runRequests { runKey tags { key value } } } } } } }"
    )


def session_processes(sid: int) -> list[int]:
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":  # state, ppid, pgrp, session
            found.append(int(stat.split("/")[2]))
    return found


def test_make_serve_runs_the_daemon_and_schedule_over_postgres_and_stops_on_sigterm(postgres, tmp_path):
    url = postgres()
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        serve = make(
            "serve",
            f"DAGSTER_HOME={tmp_path / 'home'}",
            f"SERVE_PORT={port}",
            env=settings(tmp_path, url),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # backgrounded Dagster ignores SIGINT; the group is killed at the end
        )
    web = f"http://127.0.0.1:{port}"
    try:
        wait_for(
            "the webserver", lambda: requests.get(f"{web}/server_info", timeout=2).ok, START_WAIT_S, log_path, serve
        )

        def healthy_daemons():
            statuses = graphql(web, DAEMONS)["instance"]["daemonHealth"]["allDaemonStatuses"]
            required = {s["daemonType"]: s["healthy"] for s in statuses if s["required"]}
            return required if required and all(required.values()) else None

        daemons = wait_for("healthy daemons", healthy_daemons, START_WAIT_S, log_path, serve)
        assert {"SCHEDULER", "SENSOR", "QUEUED_RUN_COORDINATOR"} <= set(daemons)

        # The daemon ticks the sensors by itself (dead_runs every minute): no development server is up.
        def finished_ticks():
            ticks = graphql(web, SENSOR_TICKS)["sensorOrError"]["sensorState"]["ticks"]
            return [t for t in ticks if t["status"] != "STARTED"]  # one still being evaluated has no outcome yet

        ticks = wait_for("a finished dead_runs tick", finished_ticks, START_WAIT_S, log_path, serve)
        assert ticks[0]["status"] in {"SKIPPED", "SUCCESS"}, ticks

        # The schedule is on, and evaluated for a chosen time it asks for that day's run.
        tick_at = datetime.now(UTC).replace(hour=6, minute=0, second=0, microsecond=0) + timedelta(days=1)
        schedule = graphql(web, schedule_query(int(tick_at.timestamp())))["scheduleOrError"]
        assert schedule["scheduleState"]["status"] == "RUNNING"
        [request] = schedule["futureTick"]["evaluationResult"]["runRequests"]
        day = tick_at.date().isoformat()
        assert request["runKey"] == day
        assert {"key": "dagster/partition", "value": day} in request["tags"]

        # The instigators' state and ticks are in PostgreSQL, with the daemons' heartbeats.
        states = rows(url, "select job_body from jobs")
        assert any('"dead_runs"' in body for (body,) in states)
        assert rows(url, "select count(*) from job_ticks")[0][0] >= 1
        assert {t for (t,) in rows(url, "select daemon_type from daemon_heartbeats")} >= set(daemons)

        # SIGTERM to the serve process stops the webserver, the daemon and their code servers.
        processes = session_processes(serve.pid)
        [supervisor] = [pid for pid in processes if b"pipelines.serve" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        assert len(processes) >= 4  # make, serve, webserver, daemon (and code servers)
        os.kill(supervisor, signal.SIGTERM)
        assert serve.wait(timeout=60) == 0, log_path.read_text()[-4000:]
        wait_for("every process to end", lambda: not session_processes(serve.pid), 30, log_path)
    finally:
        for pid in session_processes(serve.pid):  # whatever is left, whichever process group it is in
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        serve.wait()
