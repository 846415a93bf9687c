"""The row every price source produces: one hourly price observation, as text, before validation."""

from collections import Counter
from dataclasses import dataclass, field

class SourceError(Exception):
    """A source could not be fetched or parsed; the message names the URL and the problem."""

    def __init__(self, url: str, problem: str):
        super().__init__(f"{url}: {problem}")
        self.url = url


COLUMNS = [
    "source", "observed_on", "provider", "region", "zone", "instance_type", "accelerator", "chip",
    "chips_per_instance", "pricing", "usd_per_instance_hour", "usd_per_chip_hour", "source_url",
    "source_quote", "note",
]

# Every price source writes its day's rows here, as text, before validation.
RAW_PRICE_DDL = ("create table if not exists raw_price_observations (run_day date, fetched_by varchar, "
                 "source_line integer, " + ", ".join(f"{c} varchar" for c in COLUMNS) + ")")


@dataclass
class Parsed:
    """Observations read from one payload, and what was deliberately left out (with counts)."""

    rows: list[dict] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)

    def add(self, **values) -> None:
        self.rows.append({c: _text(values.get(c)) for c in COLUMNS})

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
