"""The filing sources, by name: where reported financials, filings and press releases come from.

Adding a source is its module plus one entry in FILING_SOURCES, giving what it reads: facts (into
`sec_company_facts`), filings (`sec_filings`), press releases (`press_releases`). The name
AIINFRA_FILING_SOURCES accepts, the validation and quarantine of its rows and the deal candidates read
from them follow from the entry.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.filings import feeds, sec, snapshot
from pipelines.filings.cache import DocumentCache
from pipelines.prices.http import HttpClient

if TYPE_CHECKING:  # resources imports this module for the names
    from pipelines.resources import PipelineSettings


Companies = list[tuple[str, str]]  # (company_id, cik)
Rows = tuple[list[dict], Counter]  # (rows, what was left out and why)


@dataclass(frozen=True)
class FilingSource:
    name: str
    description: str
    # (settings, HTTP client, companies) -> fact rows of sec.FACT_COLUMNS
    company_facts: Callable[["PipelineSettings", HttpClient, Companies], Rows] | None = None
    # (settings, HTTP client, companies, the first day) -> filing rows of sec.FILING_COLUMNS
    filings: Callable[["PipelineSettings", HttpClient, Companies, date], Rows] | None = None
    # (settings, HTTP client) -> feed items of feeds.ITEM_COLUMNS
    press_releases: Callable[["PipelineSettings", HttpClient], Rows] | None = None
    needs_sec_contact: bool = False  # it sends requests to the SEC, which asks each client for a contact


FILING_SOURCES = {
    source.name: source
    for source in [
        FilingSource(
            "snapshot",
            "Bundled recordings of real SEC XBRL answers and filing documents (data/sec_snapshots), read with "
            "the live parsers; each row names the recording it came from. Recorded filings are read whatever "
            "their date.",
            company_facts=lambda s, http, companies: snapshot.read(Path(s.data_dir) / "sec_snapshots", companies),
            filings=lambda s, http, companies, since: snapshot.read_filings(
                Path(s.data_dir) / "sec_snapshots", companies, s.filing_max_bytes
            ),
        ),
        FilingSource(
            "sec",
            "SEC EDGAR for every company with a cik in data/companies.csv: the companyconcept API and the "
            "submissions API at AIINFRA_SEC_DATA_URL, filing documents at AIINFRA_SEC_ARCHIVES_URL.",
            company_facts=lambda s, http, companies: sec.fetch_company_facts(
                http, s.sec_data_url, s.sec_contact, companies
            ),
            filings=lambda s, http, companies, since: sec.fetch_filings(
                http,
                s.sec_data_url,
                s.sec_archives_url,
                s.sec_contact,
                companies,
                since,
                s.filing_max_bytes,
                DocumentCache(Path(s.warehouse_dir) / "sec_documents"),
            ),
            needs_sec_contact=True,
        ),
        FilingSource(
            "feeds",
            "Company newsrooms' RSS and Atom feeds listed in AIINFRA_FEEDS_FILE (default data/feeds.csv).",
            press_releases=lambda s, http: feeds.fetch_press_releases(http, feeds.read_feeds_file(s.feeds_path)),
        ),
    ]
}
