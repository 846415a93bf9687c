"""The published directory: one complete version per run, switched in with one atomic rename.

    published/
      versions/<version>/      ai_infra.duckdb, parquet/, csv/, report.html, manifest.json
      current -> versions/<version>
      ai_infra.duckdb -> current/ai_infra.duckdb     (and parquet, csv, report.html likewise)

A run writes its whole version into `versions/.staging-<run id>`, renames it into place, then replaces
the `current` link with a rename: readers see the old set of files or the new one, never a mix, and a
reader with a file open keeps it. The stable names never change, so readers need not know about
versions. Staging directories left by a killed run are removed at the start of the next run, and only
the newest KEEP_VERSIONS versions are kept. A shared copy (AIINFRA_PUBLISH_URI) is another such
directory, filled by `mirror` from the version just published and switched in the same way.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

DB, REPORT, MANIFEST = "ai_infra.duckdb", "report.html", "manifest.json"
STABLE = (DB, "parquet", "csv", REPORT)  # what readers open, through `current`
KEEP_VERSIONS = 3  # the current one and two before it, for a reader still holding an older file
STAGING = ".staging-"


def staging_dir(published: Path, run_id: str) -> Path:
    return published / "versions" / f"{STAGING}{run_id}"


def current_version(published: Path) -> dict | None:
    """The manifest of the version readers see now, or None before the first publish."""
    try:
        return json.loads((published / "current" / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def _relink(link: Path, target: str) -> None:
    """Point `link` at `target` atomically (a new link renamed over the old)."""
    tmp = link.with_name(f".{link.name}.new")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target)
    os.replace(tmp, link)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def switch(published: Path, staged: Path, manifest: dict) -> Path:
    """Make the staged directory the current version; returns the version's directory."""
    (staged / MANIFEST).write_text(json.dumps(manifest, indent=2))
    for path in [*staged.rglob("*"), staged]:  # on disk before any link points at it, so a power cut
        _fsync(path)  # cannot leave `current` on a half-written version
    version = published / "versions" / manifest["version"]
    os.rename(staged, version)
    _relink(published / "current", f"versions/{version.name}")
    for name in STABLE:
        path = published / name
        if path.is_symlink():
            continue
        if path.is_dir():  # the layout before versions: a directory cannot be renamed over, so move it aside
            os.rename(path, published / "versions" / f"{STAGING}legacy-{name}")
        _relink(path, f"current/{name}")
    _fsync(published)
    return version


def mirror(version: Path, target: Path, manifest: dict) -> Path:
    """Copy a published version into another published directory (a shared one, AIINFRA_PUBLISH_URI) and
    switch it in there the same way; returns the copy. Until the switch, readers of `target` see its
    previous version; a copy cut short is a staging directory, which the next publish removes."""
    target.mkdir(parents=True, exist_ok=True)
    staged = staging_dir(target, manifest["run_id"])
    try:
        shutil.copytree(version, staged)
        return switch(target, staged, manifest)
    finally:
        clean(target)


def new_manifest(run_id: str, partition: str, tables: dict[str, int], csv_tables: list[str]) -> dict:
    """The version's manifest: `tables` maps every published table to its row count; `csv_tables` are those
    that also have a CSV file."""
    now = datetime.now(UTC)
    return {
        "version": f"{now:%Y%m%dT%H%M%SZ}-{run_id[:8]}",
        "run_id": run_id,
        "partition": partition,
        "published_at": now.isoformat(timespec="seconds"),
        "tables": tables,
        "csv_tables": csv_tables,
    }


def clean(published: Path, keep: int = KEEP_VERSIONS) -> list[Path]:
    """Remove staging directories (only ever called while holding the run lock, so they are dead
    runs' leftovers) and all but the newest `keep` versions; returns what was removed."""
    versions = published / "versions"
    if not versions.is_dir():
        return []
    current = (published / "current").resolve()
    staged = [p for p in versions.iterdir() if p.name.startswith(STAGING)]
    done = sorted((p for p in versions.iterdir() if not p.name.startswith(STAGING)), reverse=True)
    removed = [p for p in staged + done[keep:] if p != current]
    for path in removed:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    # a link not yet renamed into place, or a temporary file of the layout before versions
    for leftover in [*published.glob(".*.new"), *published.glob(".*.tmp")]:
        leftover.unlink(missing_ok=True)
        removed.append(leftover)
    return removed
