"""What was read from each SEC filing document, kept with the validators (ETag, Last-Modified) its answer
gave, so that the next run asks conditionally and a 304 reuses it: a daily run downloads only documents that
are new or changed. (SEC's data API answers `no-store` with no validators, so it is asked afresh each run.)

One JSON file per document URL in `<warehouse>/sec_documents/`, written whole and swapped in (a killed run
leaves the old entry or none); an entry that cannot be read is a miss. Entries no run asked for are removed
at the end of a complete scan, so the directory holds the current filing window only.
"""

import hashlib
import json
import os
from pathlib import Path


class DocumentCache:
    def __init__(self, directory: Path):
        self.directory = directory
        self.used: set[Path] = set()

    def _path(self, url: str) -> Path:
        return self.directory / f"{hashlib.sha256(url.encode()).hexdigest()[:40]}.json"

    def entry(self, url: str, max_bytes: int) -> dict | None:
        """The kept entry for `url`, if it was read under the same byte cap."""
        path = self._path(url)
        self.used.add(path)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return entry if entry.get("url") == url and entry.get("max_bytes") == max_bytes else None

    @staticmethod
    def conditions(entry: dict | None) -> dict[str, str]:
        validators = (entry or {}).get("validators", {})
        names = {"ETag": "If-None-Match", "Last-Modified": "If-Modified-Since"}
        return {names[k]: v for k, v in validators.items() if k in names}

    def put(self, url: str, max_bytes: int, validators: dict[str, str], document: dict) -> None:
        if not validators:  # nothing to ask conditionally with next time
            return
        path = self._path(url)
        self.directory.mkdir(parents=True, exist_ok=True)
        staged = path.with_suffix(".tmp")
        entry = {"url": url, "max_bytes": max_bytes, "validators": validators, "document": document}
        staged.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
        os.replace(staged, path)

    def prune(self) -> None:
        for path in self.directory.glob("*.json") if self.directory.is_dir() else []:
            if path not in self.used:
                path.unlink(missing_ok=True)
