"""The row every price source produces: one hourly price observation, as text, before validation."""

from collections import Counter
from dataclasses import dataclass, field


class SourceError(Exception):
    """A source could not be fetched or parsed; the message names the URL and the problem."""

    def __init__(self, url: str, problem: str, status: int | None = None):
        super().__init__(f"{url}: {problem}")
        self.url, self.status = url, status  # status: the HTTP status that ended the fetch, if any


COLUMNS = [
    "source",
    "observed_on",
    "observed_on_precision",
    "provider",
    "region",
    "zone",
    "instance_type",
    "accelerator",
    "chip",
    "chips_per_instance",
    "pricing",
    "usd_per_instance_hour",
    "usd_per_chip_hour",
    "source_url",
    "source_revision",
    "source_quote",
    "note",
]


def create_raw_table(conn, table: str) -> None:
    """A price source's raw table (`<source>_prices`), where it records each day's rows as text before
    validation; a table kept from an older version gains the newer columns (its history is kept)."""
    conn.execute(
        f"create table if not exists {table} (run_day date, source_line integer, "
        + ", ".join(f"{c} varchar" for c in COLUMNS)
        + ")"
    )
    for column in COLUMNS:
        conn.execute(f"alter table {table} add column if not exists {column} varchar")


@dataclass
class Parsed:
    """Observations read from one payload, and what was deliberately left out (with counts)."""

    rows: list[dict] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)

    def add(self, **values) -> None:
        self.rows.append({c: _text(values.get(c)) for c in COLUMNS})

    def stamp(self, **values) -> "Parsed":
        """Set columns on every row (provenance known for a whole payload: its URL, revision, date)."""
        for row in self.rows:
            row.update({c: _text(v) for c, v in values.items()})
        return self

    def extend(self, other: "Parsed") -> "Parsed":
        self.rows += other.rows
        self.skipped += other.skipped
        return self


def _text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        return repr(value)
    return str(value)
