"""The offline filing source: real SEC XBRL answers recorded in data/sec_snapshots/, read with sec.facts.

manifest.json lists each recording: `file`, the SEC `url` that serves it, `kind` (`companyconcept` or
`companyfacts`), `recorded_from` (where the copy was published: repository, commit and path) and
`retrieved` (when it was taken from the SEC, as far as known). Only tracked companies (by cik) are read.
"""

import json
from collections import Counter
from pathlib import Path

from pipelines.filings.sec import CONCEPTS, facts
from pipelines.prices.observations import SourceError


def read(directory: Path, companies: list[tuple[str, str]]) -> tuple[list[dict], Counter]:
    manifest_path = directory / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise SourceError(str(manifest_path), f"cannot read the recordings' manifest ({err})") from err
    by_cik = {int(cik): company_id for company_id, cik in companies}
    rows: list[dict] = []
    skipped: Counter = Counter()
    for entry in manifest:
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
