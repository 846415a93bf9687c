"""Ingest: the figures companies report to the SEC (RPO, capex, revenue), from the filing sources in
AIINFRA_FILING_SOURCES, for every company with a `cik` in data/companies.csv.

Every fact as filed goes into `sec_company_facts` (text, like every raw table); the latest filing of a
period wins later, in reported_financials. A source that fails fails the step, so nothing is published that
run; with no filing source the table is empty.
"""

from collections import Counter

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from pipelines.assets.ingest import require_rows
from pipelines.filings.sec import FACT_COLUMNS
from pipelines.filings.sources import FILING_SOURCES, FilingSource
from pipelines.prices.http import HttpClient, SourceError
from pipelines.resources import PipelineSettings
from pipelines.runs import POOL
from pipelines.warehouse import table_metadata

TABLE = "sec_company_facts"


def build_company_facts_asset(sources: dict[str, FilingSource] = FILING_SOURCES) -> dg.AssetsDefinition:
    @dg.asset(
        name=TABLE,
        group_name="ingest",
        kinds={"python", "duckdb"},
        description="Remaining performance obligations, capital expenditure and revenue as companies report "
        "them in their SEC filings (XBRL), one row per fact and filing, from the sources in "
        "AIINFRA_FILING_SOURCES.",
        deps=["raw_companies"],
        pool=POOL,
    )
    def _company_facts(
        context: dg.AssetExecutionContext, settings: PipelineSettings, http: HttpClient, duckdb: DuckDBResource
    ) -> dg.MaterializeResult:
        in_use = [sources[name] for name in settings.filing_sources]
        if any(s.needs_sec_contact for s in in_use) and not settings.sec_contact:
            raise dg.Failure(
                "AIINFRA_SEC_CONTACT is not set: the SEC asks every automated client to name a contact in its "
                "User-Agent (e.g. AIINFRA_SEC_CONTACT='Jane Doe jane@example.com'); no SEC request was made."
            )
        with duckdb.get_connection() as conn:
            # from the file as read: a company that validation rejects has its facts quarantined with it
            companies = conn.execute(
                r"select company_id, cik from raw_companies where regexp_full_match(cik, '\d{1,10}') order by 1"
            ).fetchall()
        rows: list[dict] = []
        skipped: Counter = Counter()
        for source in in_use:
            try:
                got, left_out = source.company_facts(settings, http, companies)
            except SourceError as err:
                raise dg.Failure(f"Filing source {source.name} failed: {err}") from err
            require_rows(TABLE, len(got), f"{source.name} read none for {len(companies)} companies", settings)
            rows += got
            skipped += left_out
            context.log.info(f"{source.name}: {len(got)} facts for {len(companies)} companies")
        frame = pd.DataFrame(rows, columns=FACT_COLUMNS, dtype="str")
        frame.insert(0, "source_line", range(1, len(frame) + 1))
        with duckdb.get_connection() as conn:
            conn.register("incoming", frame)
            conn.execute(f"create or replace table {TABLE} as select * from incoming")
            metadata = table_metadata(conn, TABLE)
        return dg.MaterializeResult(
            metadata={
                **metadata,
                "companies": dg.MetadataValue.int(len(companies)),
                "left_out": dg.MetadataValue.md("\n".join(f"- {k}: {n}" for k, n in skipped.most_common()) or "none"),
            }
        )

    return _company_facts
