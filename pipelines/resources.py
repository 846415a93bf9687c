"""Resources, configured from the AIINFRA_* settings in one place (see README, "Settings")."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource
from pydantic import PrivateAttr

from pipelines import published, runs
from pipelines.filings.sources import FILING_SOURCES
from pipelines.prices import aws, azure, http, skypilot
from pipelines.prices.http import HttpClient
from pipelines.prices.sources import PRICE_SOURCES
from pipelines.runs import RunLock
from pipelines.sql_files import MAX_CYCLES

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"


DEFAULT_PRICE_SOURCES = ("snapshot",)  # the recordings in data/: no network
DEFAULT_FILING_SOURCES = ("snapshot",)  # the recordings in data/sec_snapshots: no network
SEC_DATA_URL = "https://data.sec.gov"
SEC_ARCHIVES_URL = "https://www.sec.gov"
FILINGS_SINCE_DAYS = 120  # AIINFRA_FILINGS_SINCE unset: the filings of the last 120 days before the run's day
FILING_MAX_BYTES = 16 * 1024 * 1024  # a filing document is read up to here, the rest cut off
SKYPILOT_CLOUDS = ("aws", "gcp", "azure", "lambda", "runpod", "nebius", "oci", "vast", "shadeform")
AWS_REGIONS = ("us-east-1", "us-west-2")
POOL_WAIT_S = 600.0  # how long a run waits for the `duckdb` pool before giving up
WAREHOUSE_LOCK_WAIT_S = 30.0  # how long a step retries a warehouse file another process has locked
DUCKDB_MEMORY_LIMIT = "3GB"  # with Python and Dagster, a run stays under 4 GB of the machine's 24 GB
DUCKDB_TEMP_LIMIT = "8GB"  # spilled data; a runaway query fails instead of filling the disk
VALIDATE_CHUNK_ROWS = 250_000  # price rows checked at once (a ~60 MB polars frame; the next is read meanwhile)


class PipelineSettings(dg.ConfigurableResource):
    """Where the pipeline reads its sources and writes the warehouse and the published snapshot."""

    warehouse_dir: str
    deals_source: str
    deal_events_source: str | None = None  # None: the bundled events, with the bundled deals; "": none
    data_dir: str = str(DATA_DIR)
    price_sources: list[str] = list(DEFAULT_PRICE_SOURCES)
    skypilot_url: str = skypilot.DEFAULT_URL
    skypilot_clouds: list[str] = list(SKYPILOT_CLOUDS)
    azure_url: str = azure.DEFAULT_URL
    aws_url: str = aws.DEFAULT_URL
    aws_regions: list[str] = list(AWS_REGIONS)
    filing_sources: list[str] = list(DEFAULT_FILING_SOURCES)
    sec_data_url: str = SEC_DATA_URL
    sec_contact: str = ""  # who the SEC may contact about this client's requests: required by the `sec` source
    sec_archives_url: str = SEC_ARCHIVES_URL
    filings_since: str | None = None  # YYYY-MM-DD; None: FILINGS_SINCE_DAYS before the run's day
    filing_max_bytes: int = FILING_MAX_BYTES
    feeds_file: str | None = None  # None: feeds.csv in data_dir
    allow_empty_sources: list[str] = []  # sources whose file may legitimately have no rows
    max_cycles: int = MAX_CYCLES
    validate_chunk_rows: int = VALIDATE_CHUNK_ROWS
    alert_webhook: str = ""  # where run_failed_alert posts a failed run; empty: it logs the failure instead
    publish_uri: str | None = None  # a directory or s3:// URL each published version is also copied to; None: none

    @property
    def warehouse_db(self) -> Path:
        return Path(self.warehouse_dir) / "ai_infra.duckdb"

    @property
    def published_dir(self) -> Path:
        return Path(self.warehouse_dir) / "published"

    @property
    def published_db(self) -> Path:
        """The read-only snapshot analysts open."""
        return self.published_dir / published.DB

    @property
    def feeds_path(self) -> Path:
        return Path(self.feeds_file or self.bundled("feeds.csv"))

    def bundled(self, name: str) -> str:
        return str(Path(self.data_dir) / name)

    @property
    def deal_events_location(self) -> str:
        """Where deal events are read; empty for none. Unset, the bundled events go with the bundled deals
        only: another deals file has other flow ids."""
        if self.deal_events_source is not None:
            return self.deal_events_source
        bundled = Path(self.bundled("deal_events.csv"))
        return str(bundled) if Path(self.deals_source) == Path(self.bundled("deals.csv")) and bundled.exists() else ""


class Warehouse(DuckDBResource):
    """The warehouse DuckDB file. A run holds it alone from its first step to its end (pipelines/runs.py);
    a connection that finds the file locked by another process retries for `lock_wait_s`, then fails
    naming the setting. Every connection is bounded: `memory_limit`, one thread per core, and spilled data
    in `<warehouse>/duckdb_tmp` up to `temp_limit`; running out of either fails naming its setting."""

    pool_wait_s: float = POOL_WAIT_S
    lock_wait_s: float = WAREHOUSE_LOCK_WAIT_S
    memory_limit: str = DUCKDB_MEMORY_LIMIT
    temp_limit: str = DUCKDB_TEMP_LIMIT
    _run_lock: RunLock | None = PrivateAttr(default=None)
    _gave_up: str | None = PrivateAttr(default=None)

    @property
    def temp_dir(self) -> Path:
        return Path(self.database).parent / "duckdb_tmp"

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if context.instance is None or context.run is None or context.log is None:  # not in a run
            return
        warehouse_dir = Path(self.database).parent
        self._run_lock = runs.start_run(
            context.instance, context.run, warehouse_dir, self.pool_wait_s, context.log.info
        )
        for path in published.clean(warehouse_dir / "published"):
            context.log.info(f"Removed {path}, left by an earlier run")
        shutil.rmtree(self.temp_dir, ignore_errors=True)  # spilled data of a killed run

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._run_lock is not None:
            self._run_lock.release()

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self._gave_up:  # one wait per run: the later steps would only wait as long again
            raise dg.Failure(self._gave_up)
        give_up = time.monotonic() + self.lock_wait_s
        while True:
            try:
                conn = duckdb.connect(
                    self.database,
                    config={
                        "memory_limit": self.memory_limit,
                        "max_temp_directory_size": self.temp_limit,
                        "temp_directory": str(self.temp_dir),
                        "threads": os.cpu_count() or 1,
                        **self.connection_config,
                    },
                )
                break
            except duckdb.IOException as err:
                locked = "lock" in str(err).lower()  # another process has the file; worth waiting for
                if not locked or time.monotonic() >= give_up:
                    waited = f" (retried for {self.lock_wait_s:g} s, AIINFRA_WAREHOUSE_LOCK_WAIT_S)" if locked else ""
                    self._gave_up = f"Cannot open the warehouse {self.database}{waited}: {err}"
                    raise dg.Failure(self._gave_up) from err
                time.sleep(1)
        try:
            yield conn
        except duckdb.OutOfMemoryException as err:
            raise dg.Failure(
                f"DuckDB ran out of the memory or temporary disk it may use "
                f"(AIINFRA_DUCKDB_MEMORY_LIMIT={self.memory_limit}, "
                f"AIINFRA_DUCKDB_TEMP_LIMIT={self.temp_limit}): {err}"
            ) from err
        finally:
            conn.close()


def _names(env: Mapping[str, str], key: str, default: tuple[str, ...]) -> list[str]:
    return [n.strip() for n in (env.get(key) or ",".join(default)).split(",") if n.strip()]


def _seconds(env: Mapping[str, str], key: str, default: float) -> float:
    text = (env.get(key) or "").strip()
    try:
        value = float(text) if text else default
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        raise ValueError(f"{key}: expected a positive number of seconds, got {text!r}")
    return value


def _size(env: Mapping[str, str], key: str, default: str) -> str:
    text = (env.get(key) or "").strip() or default
    if not re.fullmatch(r"\d+(\.\d+)?\s*([KMGT]i?B)", text, re.IGNORECASE):
        raise ValueError(f"{key}: expected a size such as 4GB or 512MiB, got {text!r}")
    return text


def _count(env: Mapping[str, str], key: str, default: int) -> int:
    text = (env.get(key) or "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{key}: expected a whole number of at least 1, got {text!r}")
    return int(text)


def _day(env: Mapping[str, str], key: str) -> str | None:
    text = (env.get(key) or "").strip()
    if text and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(f"{key}: expected a day as YYYY-MM-DD, got {text!r}")
    return text or None


def _publish_uri(env: Mapping[str, str], key: str) -> str | None:
    """A directory (a path or a file:// URL, made absolute) or an s3:// URL; None when unset."""
    text = (env.get(key) or "").strip()
    if not text:
        return None
    url = urlsplit(text)
    if url.scheme == "s3" and url.netloc:
        return text.rstrip("/")
    if url.scheme == "file":
        return str(Path(unquote(url.path)).resolve())
    if url.scheme:
        raise ValueError(
            f"{key}: {text!r}: give a directory (a path or a file:// URL) or an S3 URL (s3://bucket/prefix, "
            "for any S3-compatible store)"
        )
    return str(Path(text).resolve())


def settings_from_env(env: Mapping[str, str] = os.environ) -> PipelineSettings:
    """The pipeline's settings from AIINFRA_* (unset ones take their documented defaults)."""
    price_sources = _names(env, "AIINFRA_PRICE_SOURCES", DEFAULT_PRICE_SOURCES)
    unknown = sorted(set(price_sources) - set(PRICE_SOURCES)) or ([] if price_sources else ["(none)"])
    if unknown:
        raise ValueError(
            f"AIINFRA_PRICE_SOURCES: unknown source(s) {', '.join(unknown)}; choose from {', '.join(PRICE_SOURCES)}"
        )
    filing_sources = _names(env, "AIINFRA_FILING_SOURCES", DEFAULT_FILING_SOURCES)
    filing_sources = [] if filing_sources == ["none"] else filing_sources
    unknown = sorted(set(filing_sources) - set(FILING_SOURCES))
    if unknown:
        raise ValueError(
            f"AIINFRA_FILING_SOURCES: unknown source(s) {', '.join(unknown)}; "
            f"choose from {', '.join(FILING_SOURCES)}, or none"
        )
    events = (env.get("AIINFRA_DEAL_EVENTS_SOURCE") or "").strip()  # unset: deal_events_location decides
    data_dir = Path(env.get("AIINFRA_DATA_DIR") or DATA_DIR).resolve()
    return PipelineSettings(
        warehouse_dir=str(Path(env.get("AIINFRA_WAREHOUSE_DIR") or "warehouse").resolve()),
        data_dir=str(data_dir),
        deals_source=env.get("AIINFRA_DEALS_SOURCE") or str(data_dir / "deals.csv"),
        deal_events_source=None if not events else "" if events.lower() == "none" else events,
        price_sources=price_sources,
        skypilot_url=env.get("AIINFRA_SKYPILOT_URL") or skypilot.DEFAULT_URL,
        skypilot_clouds=_names(env, "AIINFRA_SKYPILOT_CLOUDS", SKYPILOT_CLOUDS),
        azure_url=env.get("AIINFRA_AZURE_URL") or azure.DEFAULT_URL,
        aws_url=env.get("AIINFRA_AWS_URL") or aws.DEFAULT_URL,
        aws_regions=_names(env, "AIINFRA_AWS_REGIONS", AWS_REGIONS),
        filing_sources=filing_sources,
        sec_data_url=env.get("AIINFRA_SEC_DATA_URL") or SEC_DATA_URL,
        sec_contact=(env.get("AIINFRA_SEC_CONTACT") or "").strip(),
        sec_archives_url=env.get("AIINFRA_SEC_ARCHIVES_URL") or SEC_ARCHIVES_URL,
        filings_since=_day(env, "AIINFRA_FILINGS_SINCE"),
        filing_max_bytes=_count(env, "AIINFRA_FILING_MAX_BYTES", FILING_MAX_BYTES),
        feeds_file=env.get("AIINFRA_FEEDS_FILE") or None,
        allow_empty_sources=_names(env, "AIINFRA_ALLOW_EMPTY_SOURCES", ()),
        max_cycles=_count(env, "AIINFRA_MAX_CYCLES", MAX_CYCLES),
        validate_chunk_rows=_count(env, "AIINFRA_VALIDATE_CHUNK_ROWS", VALIDATE_CHUNK_ROWS),
        alert_webhook=(env.get("AIINFRA_ALERT_WEBHOOK") or "").strip(),
        publish_uri=_publish_uri(env, "AIINFRA_PUBLISH_URI"),
    )


def build_resources(env: Mapping[str, str] = os.environ) -> dict[str, dg.ConfigurableResource]:
    """The resources for a run, from AIINFRA_* settings (unset ones take their documented defaults)."""
    settings = settings_from_env(env)
    return {
        "settings": settings,
        "duckdb": Warehouse(
            database=str(settings.warehouse_db),
            pool_wait_s=_seconds(env, "AIINFRA_POOL_WAIT_S", POOL_WAIT_S),
            lock_wait_s=_seconds(env, "AIINFRA_WAREHOUSE_LOCK_WAIT_S", WAREHOUSE_LOCK_WAIT_S),
            memory_limit=_size(env, "AIINFRA_DUCKDB_MEMORY_LIMIT", DUCKDB_MEMORY_LIMIT),
            temp_limit=_size(env, "AIINFRA_DUCKDB_TEMP_LIMIT", DUCKDB_TEMP_LIMIT),
        ),
        "http": HttpClient(deadline_s=_seconds(env, "AIINFRA_HTTP_DEADLINE_S", http.DEADLINE_S)),
    }
