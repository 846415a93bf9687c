"""The filing sources, by name: where the reported financials come from.

Adding a source is its module plus one entry in FILING_SOURCES; the name AIINFRA_FILING_SOURCES accepts
and its facts in `sec_company_facts` (validated into clean_company_facts, quarantined with the others)
follow from the entry.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.filings import sec, snapshot
from pipelines.prices.http import HttpClient

if TYPE_CHECKING:  # resources imports this module for the names
    from pipelines.resources import PipelineSettings


@dataclass(frozen=True)
class FilingSource:
    name: str
    description: str
    # (settings, HTTP client, [(company_id, cik)]) -> (fact rows of sec.FACT_COLUMNS, what was left out)
    company_facts: Callable[["PipelineSettings", HttpClient, list[tuple[str, str]]], tuple[list[dict], Counter]]
    # (settings, HTTP client, [(company_id, cik)], the first day) -> (filing rows of sec.FILING_COLUMNS, left out)
    filings: Callable[["PipelineSettings", HttpClient, list[tuple[str, str]], date], tuple[list[dict], Counter]]
    needs_sec_contact: bool = False  # it sends requests to the SEC, which asks each client for a contact


FILING_SOURCES = {
    source.name: source
    for source in [
        FilingSource(
            "snapshot",
            "Bundled recordings of real SEC XBRL answers (data/sec_snapshots), read with the live parser; "
            "each row names the recording it came from.",
            lambda s, http, companies: snapshot.read(Path(s.data_dir) / "sec_snapshots", companies),
            lambda s, http, companies, since: ([], Counter({"no filing documents are recorded": 1})),
        ),
        FilingSource(
            "sec",
            "SEC EDGAR for every company with a cik in data/companies.csv: the companyconcept API and the "
            "submissions API at AIINFRA_SEC_DATA_URL, filing documents at AIINFRA_SEC_ARCHIVES_URL.",
            lambda s, http, companies: sec.fetch_company_facts(http, s.sec_data_url, s.sec_contact, companies),
            lambda s, http, companies, since: sec.fetch_filings(
                http, s.sec_data_url, s.sec_archives_url, s.sec_contact, companies, since, s.filing_max_bytes
            ),
            needs_sec_contact=True,
        ),
    ]
}
