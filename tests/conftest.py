"""Shared fixtures: every test gets its own warehouse directory (so its own DuckDB files)."""

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import requests
from filelock import FileLock

from pipelines import published
from pipelines.definitions import build_defs
from pipelines.prices.http import HttpClient
from pipelines.prices.sources import PRICE_SOURCES, PriceSource
from pipelines.resources import DATA_DIR, PipelineSettings, Warehouse

REPO = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "small"
TODAY = datetime.now(UTC).date().isoformat()
BIN = Path(sys.executable).parent
INFO_LOGS = '{"loggers": {"console": {"config": {"log_level": "INFO"}}}}'  # as make run logs


@dataclass
class Pipeline:
    """The daily job pointed at one warehouse directory and one set of sources."""

    warehouse_dir: Path
    data_dir: Path = DATA_DIR
    deals_source: str | None = None
    deal_events_source: str | None = None  # as in make run: the bundled events go with the bundled deals
    price_sources: list[str] = field(default_factory=lambda: ["snapshot"])
    # None: as make run does with the bundled data, the bundled SEC recordings (data/sec_snapshots); none for
    # a fixture data directory, whose companies have no cik
    filing_sources: list[str] | None = None
    settings_overrides: dict = field(default_factory=dict)
    warehouse_overrides: dict = field(default_factory=dict)  # e.g. a memory limit
    http: HttpClient = field(default_factory=lambda: HttpClient(backoff_factor=0, retries=2))
    price_registry: dict[str, PriceSource] = field(default_factory=lambda: dict(PRICE_SOURCES))

    @property
    def settings(self) -> PipelineSettings:
        return PipelineSettings(
            warehouse_dir=str(self.warehouse_dir),
            deals_source=self.deals_source or str(self.data_dir / "deals.csv"),
            deal_events_source=self.deal_events_source,
            data_dir=str(self.data_dir),
            price_sources=self.price_sources,
            filing_sources=self.filing_sources if self.filing_sources is not None else self.bundled_filings(),
            **self.settings_overrides,
        )

    def bundled_filings(self) -> list[str]:
        return ["snapshot"] if self.data_dir == DATA_DIR else []

    @property
    def snapshot(self) -> Path:
        return self.settings.published_db

    def defs(self) -> dg.Definitions:
        return build_defs(
            {
                "settings": self.settings,
                "http": self.http,
                "duckdb": Warehouse(database=str(self.settings.warehouse_db), **self.warehouse_overrides),
            },
            self.price_registry,
        )

    def run(self, day: str = TODAY) -> dg.ExecuteInProcessResult:
        with dg.DagsterInstance.ephemeral() as instance:
            return (
                self.defs()
                .resolve_job_def("daily_job")
                .execute_in_process(instance=instance, raise_on_error=False, partition_key=day)
            )

    def query(self, sql: str, params=None) -> list[tuple]:
        """Rows from the published snapshot, read the way analysts read it."""
        with duckdb.connect(str(self.snapshot), read_only=True) as conn:
            return conn.execute(sql, params or []).fetchall()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, check, timeout: float, log: Path, process: subprocess.Popen | None = None, errors=()):
    """check()'s first truthy answer, asked every half second; an exception in `errors` (the server not
    listening yet) counts as no answer. Fails with the tail of `log` after `timeout` s, or once `process` ends."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            found = check()
        except (requests.ConnectionError, *errors):
            found = None
        if found:
            return found
        assert process is None or process.poll() is None, f"{what}: the process ended:\n{log.read_text()[-4000:]}"
        assert time.monotonic() < deadline, f"{what} not seen within {timeout:g} s:\n{log.read_text()[-4000:]}"
        time.sleep(0.5)


def stop_group(process: subprocess.Popen, sig: int = signal.SIGTERM, grace: float = 10) -> None:
    """Send `sig` to the process's group (it was started in a session of its own), then SIGKILL after `grace` s."""
    os.killpg(process.pid, sig)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture
def webserver(tmp_path):
    """dagster-webserver over workspace.yaml on a free 127.0.0.1 port, with its own instance."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "AIINFRA_WAREHOUSE_DIR": str(tmp_path / "warehouse")}
    log_path = tmp_path / "webserver.log"
    log = log_path.open("w")
    # Own session, so the whole process group can be stopped: backgrounded Dagster ignores SIGINT.
    proc = subprocess.Popen(
        [Path(sys.executable).parent / "dagster-webserver", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for("the webserver", lambda: requests.get(f"{url}/server_info", timeout=2).ok, 90, log_path, proc)
        yield url
    finally:
        stop_group(proc)
        log.close()


def graphql(url: str, query: str) -> dict:
    """A GraphQL query to the webserver at `url`; its data, after checking it answered without errors."""
    response = requests.post(f"{url}/graphql", json={"query": query}, timeout=60)
    response.raise_for_status()
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def shared_run(tmp_path_factory, worker_id: str, name: str, **sources) -> Pipeline:
    """The daily job run once per test session on `sources`, for the tests that only read what it published.
    Under xdist the first worker to ask runs it while holding a lock and the others wait, then all read the
    same files (read-only); a test that writes makes a run, or a copy, of its own. A correct run passes
    every check."""
    shared = tmp_path_factory.getbasetemp()
    shared = shared if worker_id == "master" else shared.parent  # the directory every worker's temp is in
    pipeline = Pipeline(warehouse_dir=shared / name / "warehouse", **sources)
    with FileLock(shared / f"{name}.lock"):
        if not pipeline.snapshot.exists():
            result = pipeline.run()
            assert result.success
            assert [e for e in result.get_asset_check_evaluations() if not e.passed] == []
    return pipeline


@pytest.fixture(scope="session")
def bundled(tmp_path_factory, worker_id) -> Pipeline:
    """The bundled data, as `make run` runs it."""
    return shared_run(tmp_path_factory, worker_id, "bundled")


@pytest.fixture(scope="session")
def small(tmp_path_factory, worker_id) -> Pipeline:
    """The small fixture whose metrics are worked out by hand (tests/fixtures/small), with no prices."""
    return shared_run(tmp_path_factory, worker_id, "small", data_dir=SMALL, price_sources=[])


@pytest.fixture(scope="session")
def httpserver_listen_address():
    """pytest-httpserver binds here: loopback only, any free port."""
    return ("127.0.0.1", 0)


def published_fingerprint(published: Path) -> dict[str, str]:
    """The version readers see and the sha256 of each of its files, to show a failed run changed nothing."""
    current = (published / "current").resolve()
    return {
        "current": current.name,
        **{
            str(p.relative_to(current)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(current.rglob("*"))
            if p.is_file()
        },
    }


@pytest.fixture
def home(tmp_path) -> Path:
    """A Dagster instance of the test's own, configured by the project's dagster.yaml."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    return home


def environment(home: Path, warehouse: Path, **settings) -> dict:
    return {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "VIRTUAL_ENV": sys.prefix,
        "AIINFRA_WAREHOUSE_DIR": str(warehouse),
        **settings,
    }


def assert_consistent(out: Path) -> dict:
    """The database, Parquet, CSV and report readers see all belong to one version; returns its manifest."""
    manifest = published.current_version(out)
    with duckdb.connect() as conn:
        for table, rows in manifest["tables"].items():
            assert (
                conn.execute("select count(*) from read_parquet(?)", [f"{out}/parquet/{table}.parquet"]).fetchone()[0]
                == rows
            ), table
        assert sorted(manifest["csv_tables"]) == sorted(p.stem for p in (out / "csv").glob("*.csv"))
        for table in manifest["csv_tables"]:
            rows = manifest["tables"][table]
            assert conn.execute("select count(*) from read_csv(?)", [f"{out}/csv/{table}.csv"]).fetchone()[0] == rows, (
                table
            )
    with duckdb.connect(str(out / "ai_infra.duckdb"), read_only=True) as conn:
        for table, rows in manifest["tables"].items():
            assert conn.execute(f"select count(*) from {table}").fetchone()[0] == rows, table
    assert (
        f"published as version {manifest['version']}: {manifest['tables']['deal_flows']} cited deal flows"
        in (out / "report.html").read_text()
    )
    return manifest


def failed_steps(result: dg.ExecuteInProcessResult) -> list[str]:
    return [e.step_key for e in result.all_events if e.is_step_failure]
