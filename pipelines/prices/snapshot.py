"""The `snapshot` price source: bundled recordings of the live formats (data/price_snapshots), read
through the same parsers as the live sources, so a machine with no network has prices.

Every recording is a verbatim copy (whole rows or items, trimmed) of a real published file, listed in
manifest.json with the real URL of that file, its revision (catalog commit, offer version, ...) and
the day it was observed, with how precisely that day is known; its rows carry those, not the run's day.
"""

import json
from pathlib import Path

from pipelines.prices import aws, azure, skypilot
from pipelines.prices.accelerators import AcceleratorMap
from pipelines.prices.observations import Parsed, SourceError

PROVENANCE = ("source_url", "source_revision", "observed_on", "observed_on_precision")


def _parse(recording: dict, path: Path, accelerators: AcceleratorMap) -> Parsed:
    kind, url, day = recording["format"], recording["source_url"], recording["observed_on"]
    if kind == "skypilot":
        return skypilot.parse_vms_csv(path.read_text(encoding="utf-8"), recording["cloud"], url, accelerators,
                                      "skypilot-snapshot", day)
    if kind == "azure":
        items, _ = azure.parse_page(path.read_bytes(), url)
        return azure.parse_items(items, url, accelerators, "azure-snapshot", day)
    if kind == "aws":
        with path.open("rb") as offer:
            return aws.parse_offer(offer, url, accelerators, "aws-snapshot", day)
    raise SourceError(str(path), f"unknown recording format {kind!r} in manifest.json")


def read(root: Path, accelerators: AcceleratorMap) -> Parsed:
    parsed = Parsed()
    for recording in json.loads((root / "manifest.json").read_text())["recordings"]:
        missing = [key for key in ("format", "file", *PROVENANCE) if not recording.get(key)]
        if missing:
            raise SourceError(str(root / "manifest.json"),
                              f"recording {recording.get('file')!r} lacks {', '.join(missing)}")
        rows = _parse(recording, root / recording["file"], accelerators)
        # The manifest's provenance is the recording's own; a row keeps a finer revision its payload
        # states (an Azure item's effectiveStartDate, an AWS offer version).
        evidence = (f"observed_on is approximate: {recording.get('note') or 'no evidence recorded'}"
                    if recording["observed_on_precision"] == "approximate" else None)
        for row in rows.rows:
            row["source_revision"] = row["source_revision"] or recording["source_revision"]
            row["note"] = "; ".join(filter(None, [row["note"], evidence])) or None
        parsed.extend(rows.stamp(**{k: recording[k] for k in PROVENANCE if k != "source_revision"}))
    return parsed
