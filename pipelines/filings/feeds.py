"""Company newsrooms' RSS and Atom feeds (AIINFRA_FEEDS_FILE, header `company_id,url`), read with feedparser.

Each feed is fetched with the shared HTTP client (feedparser's own fetching has no timeout) and parsed from
the bytes. A feed that cannot be fetched or is not well-formed XML is skipped, named and counted: the other
feeds still count. feedparser's notes about a mislabelled encoding or content type are not failures.
"""

import csv
import json
import time
from collections import Counter
from pathlib import Path

import feedparser

from pipelines.filings.documents import html_to_text, sentences
from pipelines.prices.http import HttpClient
from pipelines.prices.observations import SourceError

ITEM_COLUMNS = ["company_id", "feed_url", "item_id", "title", "link", "published_on", "sentences"]


def read_feeds_file(path: Path) -> list[tuple[str, str]]:
    """(company_id, url) of every feed listed; SourceError naming the file when it cannot be read."""
    try:
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as err:
        raise SourceError(str(path), f"cannot read the feeds file ({err})") from err
    if rows and not {"company_id", "url"} <= set(rows[0]):
        raise SourceError(str(path), "the feeds file needs the header company_id,url")
    return [(row["company_id"].strip(), row["url"].strip()) for row in rows if row["url"].strip()]


def _day(entry) -> str | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return time.strftime("%Y-%m-%d", parsed) if parsed else None


def fetch_press_releases(http: HttpClient, feeds: list[tuple[str, str]]) -> tuple[list[dict], Counter]:
    rows: list[dict] = []
    skipped: Counter = Counter()
    for company_id, url in feeds:
        try:
            body = http.get(url)
        except SourceError as err:
            skipped[f"feed {url} skipped: {err}"] += 1
            continue
        parsed = feedparser.parse(body)
        if parsed.bozo and not isinstance(parsed.bozo_exception, feedparser.ThingsNobodyCaresAboutButMe):
            skipped[f"feed {url} skipped: not a well-formed feed ({parsed.bozo_exception})"] += 1
            continue
        for entry in parsed.entries:
            html = entry.get("content", [{}])[0].get("value") or entry.get("summary") or ""
            blocks = [b for b in [entry.get("title", ""), *html_to_text(html)] if b]
            rows.append(
                {
                    "company_id": company_id,
                    "feed_url": url,
                    "item_id": entry.get("id") or entry.get("link"),
                    "title": entry.get("title"),
                    "link": entry.get("link"),
                    "published_on": _day(entry),
                    "sentences": json.dumps(sentences(blocks), ensure_ascii=False),  # the title, then the body
                }
            )
    return rows, skipped
