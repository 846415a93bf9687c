"""AIINFRA_PUBLISH_URI: a copy of each published version for readers on other machines.

A directory (a path or a file:// URL; a network share, a mounted bucket) gets the same layout as the
local published directory, switched in the same way (`published.mirror`). An S3 URL (`s3://bucket/prefix`:
AWS S3 or any S3-compatible store, reached with the standard AWS_* variables) has no links or renames, so
its layout is:

    <prefix>/versions/<version>/   the version's files, its manifest.json written last
    <prefix>/current.json          the manifest of the version readers should open, written in one request

Readers read current.json, then open that version's files: they see the old version or the new one,
never a mix. A version without its manifest.json (an upload cut short) is never named by current.json
and is removed by the next upload, with all but the newest KEEP_VERSIONS complete versions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pipelines import published

if TYPE_CHECKING:
    import s3fs

CURRENT = "current.json"
# Every request to the store is bounded: a store that does not answer fails the publish step.
S3_CONFIG = {"connect_timeout": 10, "read_timeout": 60, "retries": {"max_attempts": 3, "mode": "standard"}}


def is_object_store(uri: str) -> bool:
    return urlsplit(uri).scheme == "s3"


def store() -> s3fs.S3FileSystem:
    # Imported here: s3fs and botocore take ~0.5 s to import, and every load of the code location would pay it.
    import s3fs

    # A new client each time: the endpoint and credentials come from the environment when it is made.
    fs = s3fs.S3FileSystem(config_kwargs=S3_CONFIG, skip_instance_cache=True)
    fs.retries = 1  # botocore retries each request (S3_CONFIG); s3fs's own loop (5) would multiply them
    return fs


def share(version: Path, uri: str, manifest: dict) -> str:
    """Copy the published version to the target; returns where its database now is."""
    if is_object_store(uri):
        return upload(version, uri, manifest)
    copy = published.mirror(version, Path(uri), manifest)
    return str(copy.parent.parent / published.DB)


def upload(version: Path, uri: str, manifest: dict) -> str:
    fs = store()
    root = uri.removeprefix("s3://").rstrip("/")
    dest = f"{root}/versions/{version.name}"
    files = sorted(p for p in version.rglob("*") if p.is_file() and p.name != published.MANIFEST)
    for path in files:
        fs.put_file(str(path), f"{dest}/{path.relative_to(version).as_posix()}")
    fs.put_file(str(version / published.MANIFEST), f"{dest}/{published.MANIFEST}")  # the version is complete
    fs.pipe_file(f"{root}/{CURRENT}", json.dumps(manifest, indent=2).encode())
    clean_store(fs, root)  # what an upload cut short left, and old versions
    return f"s3://{dest}/{published.DB}"


def current_version(fs: s3fs.S3FileSystem, root: str) -> str | None:
    try:
        return json.loads(fs.cat_file(f"{root}/{CURRENT}"))["version"]
    except FileNotFoundError:
        return None


def clean_store(fs: s3fs.S3FileSystem, root: str, keep: int = published.KEEP_VERSIONS) -> list[str]:
    """Remove incomplete versions and all but the newest `keep` complete ones (never the current one)."""
    try:
        listed = fs.ls(f"{root}/versions", detail=False, refresh=True)
    except FileNotFoundError:
        return []
    current = current_version(fs, root)
    complete = sorted((p for p in listed if fs.exists(f"{p}/{published.MANIFEST}")), reverse=True)
    removed = [p for p in listed if p not in complete[:keep] and p.rsplit("/", 1)[-1] != current]
    for path in removed:
        fs.rm(path, recursive=True)
    return removed
