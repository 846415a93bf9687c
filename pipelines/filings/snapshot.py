"""The offline filing source: real SEC answers and filing documents recorded in data/sec_snapshots/, read with
the live parsers (sec.facts for XBRL facts, sec.document_fields for a filing's primary document).

manifest.json lists each recording: `file`, the SEC `url` that serves it, `kind` (`companyconcept`,
`companyfacts` or `document`), `recorded_from` (where the copy was published: repository, commit and path) and
`retrieved` (when it was taken from the SEC, as far as known). A `document` also names its filing: `cik`,
`form`, `accession`, `filed_on`, `report_date` and `primary_document`. Only tracked companies (by cik) are
read. A recorded document is read whatever its date: AIINFRA_FILINGS_SINCE bounds how far back the live scan
asks the SEC, and a recording asks nothing.
"""

import json
from collections import Counter
from pathlib import Path

from pipelines.filings.sec import CONCEPTS, document_fields, facts, padded
from pipelines.prices.observations import SourceError


def _manifest(directory: Path) -> list[dict]:
    path = directory / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise SourceError(str(path), f"cannot read the recordings' manifest ({err})") from err


def _by_cik(companies: list[tuple[str, str]]) -> dict[int, str]:
    return {int(cik): company_id for company_id, cik in companies}


def read(directory: Path, companies: list[tuple[str, str]]) -> tuple[list[dict], Counter]:
    """The facts of every recorded companyfacts or companyconcept answer of a tracked company."""
    by_cik = _by_cik(companies)
    rows: list[dict] = []
    skipped: Counter = Counter()
    for entry in _manifest(directory):
        if entry["kind"] == "document":
            continue
        path = directory / entry["file"]
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise SourceError(str(path), f"cannot read the recording ({err})") from err
        company_id = by_cik.get(int(payload["cik"]))
        if company_id is None:
            skipped["recording of an untracked company"] += 1
            continue
        if entry["kind"] == "companyfacts":
            tagged = payload.get("facts", {}).get("us-gaap", {})
            units = {tag: tagged[tag]["units"] for tags in CONCEPTS.values() for tag in tags if tag in tagged}
        else:
            units = {payload["tag"]: payload["units"]}
        for concept, tags in CONCEPTS.items():
            for tag in tags:
                if tag in units:
                    rows += facts(
                        units[tag], company_id, payload["cik"], concept, tag, entry["url"], entry["recorded_from"]
                    )
    return rows, skipped


def read_filings(directory: Path, companies: list[tuple[str, str]], max_bytes: int) -> tuple[list[dict], Counter]:
    """Every recorded filing document of a tracked company, as sec.FILING_COLUMNS rows: its first `max_bytes`
    bytes read as the live source reads a document; `source_url` is where the recording was published."""
    by_cik = _by_cik(companies)
    rows: list[dict] = []
    skipped: Counter = Counter()
    for entry in _manifest(directory):
        if entry["kind"] != "document":
            continue
        company_id = by_cik.get(int(entry["cik"]))
        if company_id is None:
            skipped["recording of an untracked company"] += 1
            continue
        path = directory / entry["file"]
        try:
            with path.open("rb") as f:
                body = f.read(max_bytes + 1)
        except OSError as err:
            raise SourceError(str(path), f"cannot read the recording ({err})") from err
        rows.append(
            {
                "company_id": company_id,
                "cik": padded(entry["cik"]),
                "accession": entry["accession"],
                "form": entry["form"],
                "filed_on": entry["filed_on"],
                "report_date": entry.get("report_date"),
                "items": None,
                "primary_document": entry["primary_document"],
                "document_url": entry["url"],
                **document_fields(body[:max_bytes], truncated=len(body) > max_bytes),
                "source_url": entry["recorded_from"],
            }
        )
    return rows, skipped
