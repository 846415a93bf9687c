"""The `snapshot` price source: bundled recordings (data/price_snapshots), read through the live
parser, so a machine with no network has prices.

Every recording is a verbatim copy (whole lines, trimmed) of a real published SkyPilot catalog file,
listed in manifest.json with the real URL of that file at its commit, the commit and the day it was
observed, with how precisely that day is known; its rows carry those, not the run's day. (No real Azure
or AWS payload with GPU prices could be had; a real capture would add its format here.)
"""

import json
from pathlib import Path

from pipelines.prices import skypilot
from pipelines.prices.accelerators import AcceleratorMap
from pipelines.prices.observations import Parsed, SourceError

PROVENANCE = ("source_url", "source_revision", "observed_on", "observed_on_precision")


def _parse(recording: dict, path: Path, accelerators: AcceleratorMap) -> Parsed:
    if recording["format"] != "skypilot":
        raise SourceError(str(path), f"unknown recording format {recording['format']!r} in manifest.json")
    return skypilot.parse_vms_csv(
        path.read_text(encoding="utf-8"),
        recording["cloud"],
        recording["source_url"],
        accelerators,
        "skypilot-snapshot",
        recording["observed_on"],
    )


def read(root: Path, accelerators: AcceleratorMap) -> Parsed:
    parsed = Parsed()
    for recording in json.loads((root / "manifest.json").read_text())["recordings"]:
        missing = [key for key in ("format", "file", *PROVENANCE) if not recording.get(key)]
        if missing:
            raise SourceError(
                str(root / "manifest.json"), f"recording {recording.get('file')!r} lacks {', '.join(missing)}"
            )
        rows = _parse(recording, root / recording["file"], accelerators)
        evidence = (
            f"observed_on is approximate: {recording.get('note') or 'no evidence recorded'}"
            if recording["observed_on_precision"] == "approximate"
            else None
        )
        for row in rows.rows:
            row["note"] = "; ".join(filter(None, [row["note"], evidence])) or None
        parsed.extend(rows.stamp(**{k: recording[k] for k in PROVENANCE}))
    return parsed
