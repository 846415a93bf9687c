"""Ingest: what companies file with the SEC, from the filing sources in AIINFRA_FILING_SOURCES, for every
company with a `cik` in data/companies.csv.

- `sec_company_facts`: the figures they report (RPO, capex, revenue), every fact as filed (text, like every
  raw table); the latest filing of a period wins later, in reported_financials.
- `sec_filings`: their 8-K, 6-K, 10-Q and 10-K filings (live: since AIINFRA_FILINGS_SINCE), each primary
  document's sentences (read up to AIINFRA_FILING_MAX_BYTES), where deal announcements are to be found.
- `press_releases`: the items of the companies' newsroom feeds (AIINFRA_FEEDS_FILE), as sentences; a feed that
  fails is skipped with a warning naming it, and the others count.

A source that fails fails the step, so nothing is published that run; with no filing source the tables are
empty. A source that sends requests to the SEC needs AIINFRA_SEC_CONTACT, checked before any request.
"""

from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from pipelines.assets.ingest import require_rows
from pipelines.filings.feeds import ITEM_COLUMNS
from pipelines.filings.sec import FACT_COLUMNS, FILING_COLUMNS
from pipelines.filings.sources import FILING_SOURCES, FilingSource, Rows
from pipelines.partitions import run_day
from pipelines.prices.http import HttpClient, SourceError, fetched_metadata
from pipelines.resources import FILINGS_SINCE_DAYS, PipelineSettings
from pipelines.runs import POOL
from pipelines.warehouse import table_metadata

TABLE = "sec_company_facts"


def _read_all(
    context: dg.AssetExecutionContext,
    settings: PipelineSettings,
    http: HttpClient,
    sources: dict[str, FilingSource],
    reads: str,
    read: Callable[[Callable], Rows],
) -> tuple[list[dict], Counter, dict]:
    """Every source in AIINFRA_FILING_SOURCES that reads `reads` (company_facts, filings, press_releases), in
    turn: `read` calls its reader. What a source left out is logged as a warning; a source that fails fails
    the step. AIINFRA_SEC_CONTACT is checked before any source runs. Returns the rows, what was left out and
    what was fetched (metadata)."""
    in_use = [sources[name] for name in settings.filing_sources if getattr(sources[name], reads) is not None]
    if any(s.needs_sec_contact for s in in_use) and not settings.sec_contact:
        raise dg.Failure(
            "AIINFRA_SEC_CONTACT is not set: the SEC asks every automated client to name a contact in its "
            "User-Agent (e.g. AIINFRA_SEC_CONTACT='Jane Doe jane@example.com'); no SEC request was made."
        )
    rows: list[dict] = []
    skipped: Counter = Counter()
    http.take_fetched()  # what earlier steps fetched is in their metadata
    for source in in_use:
        try:
            got, left_out = read(getattr(source, reads))
        except SourceError as err:
            raise dg.Failure(f"Filing source {source.name} failed: {err}") from err
        for reason, n in left_out.items():
            context.log.warning(f"{source.name}: {reason} ({n})")
        context.log.info(f"{source.name}: {len(got)} rows for {reads}")
        rows += got
        skipped += left_out
    return rows, skipped, fetched_metadata(http.take_fetched())


def _companies(duckdb: DuckDBResource) -> list[tuple[str, str]]:
    with duckdb.get_connection() as conn:
        # from the file as read: a company that validation rejects has its facts quarantined with it
        return conn.execute(
            r"select company_id, cik from raw_companies where regexp_full_match(cik, '\d{1,10}') order by 1"
        ).fetchall()


def _write(duckdb: DuckDBResource, table: str, columns: list[str], rows: list[dict], skipped: Counter, **extra):
    frame = pd.DataFrame(rows, columns=columns, dtype="str")
    frame.insert(0, "source_line", range(1, len(frame) + 1))
    with duckdb.get_connection() as conn:
        conn.register("incoming", frame)
        conn.execute(f"create or replace table {table} as select * from incoming")
        metadata = table_metadata(conn, table)
    left_out = "\n".join(f"- {k}: {n}" for k, n in skipped.most_common()) or "none"
    return dg.MaterializeResult(metadata={**metadata, **extra, "left_out": dg.MetadataValue.md(left_out)})


def _ingest_asset(name: str, description: str, by_company: bool = True):
    """The decorator of a filing asset: what it holds, and whether it reads the companies' ciks."""
    return dg.asset(
        name=name,
        group_name="ingest",
        kinds={"python", "duckdb"},
        description=description + " From the sources in AIINFRA_FILING_SOURCES.",
        deps=["raw_companies"] if by_company else [],
        pool=POOL,
    )


def build_filing_assets(sources: dict[str, FilingSource] = FILING_SOURCES) -> list[dg.AssetsDefinition]:
    """sec_company_facts, sec_filings and press_releases, from the registry of filing sources."""
    return [build(sources) for build in (_company_facts_asset, _filings_asset, _press_releases_asset)]


def _company_facts_asset(sources: dict[str, FilingSource]) -> dg.AssetsDefinition:
    @_ingest_asset(
        TABLE,
        "Remaining performance obligations, capital expenditure and revenue as companies report them in their "
        "SEC filings (XBRL), one row per fact and filing.",
    )
    def _company_facts(
        context: dg.AssetExecutionContext, settings: PipelineSettings, http: HttpClient, duckdb: DuckDBResource
    ) -> dg.MaterializeResult:
        companies = _companies(duckdb)
        rows, skipped, fetched = _read_all(
            context, settings, http, sources, "company_facts", lambda reader: reader(settings, http, companies)
        )
        if any(sources[name].company_facts for name in settings.filing_sources):
            require_rows(TABLE, len(rows), f"the filing sources read none for {len(companies)} companies", settings)
        return _write(
            duckdb, TABLE, FACT_COLUMNS, rows, skipped, companies=dg.MetadataValue.int(len(companies)), **fetched
        )

    return _company_facts


def _filings_asset(sources: dict[str, FilingSource]) -> dg.AssetsDefinition:
    @_ingest_asset(
        "sec_filings",
        "The 8-K, 6-K, 10-Q and 10-K filings of every company with a cik, each primary document's sentences: "
        "the live scan's since AIINFRA_FILINGS_SINCE (default: the 120 days before the run's day), the "
        "recorded ones whatever their date.",
    )
    def _filings(
        context: dg.AssetExecutionContext, settings: PipelineSettings, http: HttpClient, duckdb: DuckDBResource
    ) -> dg.MaterializeResult:
        since = (
            date.fromisoformat(settings.filings_since)
            if settings.filings_since
            else date.fromisoformat(run_day(context)) - timedelta(days=FILINGS_SINCE_DAYS)
        )
        companies = _companies(duckdb)
        rows, skipped, fetched = _read_all(
            context, settings, http, sources, "filings", lambda reader: reader(settings, http, companies, since)
        )
        return _write(
            duckdb,
            "sec_filings",
            FILING_COLUMNS,
            rows,
            skipped,
            since=dg.MetadataValue.text(since.isoformat()),
            truncated=dg.MetadataValue.int(sum(r["truncated"] == "true" for r in rows)),
            **fetched,
        )

    return _filings


def _press_releases_asset(sources: dict[str, FilingSource]) -> dg.AssetsDefinition:
    @_ingest_asset(
        "press_releases",
        "The items of the companies' newsroom feeds listed in AIINFRA_FEEDS_FILE, each as its sentences (title "
        "first); a feed that fails is skipped and counted.",
        by_company=False,
    )
    def _press_releases(
        context: dg.AssetExecutionContext, settings: PipelineSettings, http: HttpClient, duckdb: DuckDBResource
    ) -> dg.MaterializeResult:
        rows, skipped, fetched = _read_all(
            context, settings, http, sources, "press_releases", lambda reader: reader(settings, http)
        )
        return _write(
            duckdb,
            "press_releases",
            ITEM_COLUMNS,
            rows,
            skipped,
            feeds_skipped=dg.MetadataValue.int(sum(skipped.values())),
            **fetched,
        )

    return _press_releases
