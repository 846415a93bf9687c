"""pandera schemas for the bundled and user-supplied sources, and the split into clean rows and quarantine.

Every source is read as text, so a schema sees exactly what the file said. A row that fails any check
goes to quarantine with one line per failure and a reason a person can act on; the rest go on.
Schema-level problems (a missing column) are not row problems: the ingest step refuses those first.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextvars import ContextVar
from datetime import date

import pandas as pd
import pandera.pandas as pa

from pipelines.filings.sec import CONCEPTS, FILING_FORMS

# Larger than any deal ever announced: a typo, or a value in the wrong unit. It caps every amount as
# published, so also a per_year amount times term_years (deal_flow_terms.sql publishes that product).
MAX_AMOUNT_USD = 2e12
AMOUNT_CAP = f"${MAX_AMOUNT_USD / 1e12:g} trillion"
# Longer than any contract; also keeps an absurd term (1e300) out of the SQL that multiplies by it.
MAX_TERM_YEARS = 100
MAX_USD_PER_CHIP_HOUR = 1000.0
# A whole number of accelerators (chip_prices.sql casts it to INTEGER); the largest TPU pod is 6144 chips.
MAX_CHIPS_PER_INSTANCE = 100_000
# Below this an hourly price is no real price: a unit slip or a garbled value (1e-30).
MIN_USD_PER_HOUR = 0.0001
# A chip-hour price this many times the median of its peers (same source, day, chip and pricing; at
# least 3 of them) is a placeholder, not a price: the SkyPilot GCP catalog lists TPU v6e at 700.0 in
# regions that do not sell it, against about 2.7 elsewhere.
MAX_TIMES_PEER_MEDIAN = 20
MIN_PEERS = 3

# The flow types a deals file may use; which class (capital, spend_back) each is in is defined once, in
# sql/model/deal_flow_terms.sql.
FLOW_TYPES = (
    "equity_investment",
    "warrant",
    "loan_or_credit",
    "capacity_backstop",
    "cloud_commitment",
    "chip_purchase",
    "datacenter_lease",
    "power_purchase",
    "other",
)
# A flow's status when it was first made public; later changes come from deal events. The others
# (closed, ... superseded) are accepted for deals files that carry no events.
STATUSES = ("announced", "reported", "loi", "unverified", "closed", "lapsed", "walked_back", "cancelled", "superseded")
SOURCE_TIERS = ("filing", "company", "major_outlet", "other")
EVENTS = ("announced", "definitive", "closed", "tranche_paid", "amended", "lapsed", "walked_back", "cancelled")
COMPANY_KINDS = ("ai_lab", "hyperscaler", "cloud", "neocloud", "chip_vendor", "investor", "other")
PRICINGS = ("on_demand", "spot", "reserved_1y", "reserved_3y")
# How precisely a price's observed_on is known; `approximate` = a bound, with the evidence in note.
OBSERVED_ON_PRECISIONS = ("day", "month", "year", "approximate")
BOOLEANS = ("true", "false")

DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"

# One quarantine row per failed check of a rejected row: each column and its DuckDB type.
QUARANTINE_COLUMNS = {
    "source_table": "varchar",
    "row_ref": "varchar",
    "source_line": "integer",
    "column_name": "varchar",
    "check_name": "varchar",
    "failure_value": "varchar",
    "reason": "varchar",
    "record": "json",
    "detected_at": "date",
}

# check name -> reason; {column} and {value} are filled in from the failure.
REASONS = {
    "not_nullable": "{column} is required but empty",
    "field_uniqueness": "duplicate {column} {value!r}: an earlier row already uses it",
    "unknown_company": "{column} {value!r} is not a known company name or alias (data/companies.csv)",
    "self_flow": "from_company and to_company are the same company: a flow needs two parties",
    "not_a_number": "{column} {value!r} is not a plain number",
    "negative": "{column} {value!r} is negative",
    "absurd_amount": "{column} {value!r} is over "
    + AMOUNT_CAP
    + ": more than any announced deal, likely a typo or wrong unit",
    "absurd_total": "amount_basis is 'per_year' and an amount times term_years (amount_usd, amount_low_usd, "
    "amount_high_usd, term_years: {value}) is over "
    + AMOUNT_CAP
    + ", the cap on a total amount: likely a typo or wrong unit",
    "term_out_of_range": "term_years {value!r} is out of range: it must be more than 0 and at most "
    + str(MAX_TERM_YEARS)
    + " years",
    "bad_date": "{column} {value!r} is not a date in the form YYYY-MM-DD, YYYY-MM or YYYY",
    "future_date": "{column} {value!r} is in the future",
    "unknown_flow_type": "flow_type {value!r} is not one of " + ", ".join(FLOW_TYPES),
    "unknown_status": "status {value!r} is not one of " + ", ".join(STATUSES),
    "unknown_amount_basis": "amount_basis {value!r} is not 'total' or 'per_year'",
    "not_boolean": "{column} {value!r} is not 'true' or 'false'",
    "successor_missing": "superseded_by {value!r} names no flow in this file (or one that was rejected)",
    "superseded_without_successor": "status is 'superseded' but superseded_by is empty",
    "successor_is_self": "a flow cannot supersede itself",
    "unknown_source_tier": "source_tier {value!r} is not one of " + ", ".join(SOURCE_TIERS),
    "bad_url_list": "{column} {value!r} is not a ';'-separated list of http(s) URLs",
    "amounts_out_of_order": "amount_low_usd <= amount_usd <= amount_high_usd does not hold ({value})",
    "unknown_event": "event {value!r} is not one of " + ", ".join(EVENTS),
    "unknown_flow": "flow_id {value!r} names no flow of the deals file (or one that was rejected)",
    "bad_url": "{column} {value!r} is not an http(s) URL",
    "per_year_without_term": "amount_basis is 'per_year' but term_years is empty: the total cannot be worked out",
    "not_positive": "{column} {value!r} must be greater than zero",
    "unknown_kind": "kind {value!r} is not one of " + ", ".join(COMPANY_KINDS),
    "bad_company_id": "company_id {value!r} must be lower-case letters, digits and underscores",
    "alias_taken": "alias {value!r} already belongs to another company",
    "bad_chip_count": "chips_per_instance {value!r} is not a whole number from 1 to " + f"{MAX_CHIPS_PER_INSTANCE:,}",
    "unknown_precision": "observed_on_precision {value!r} is not one of " + ", ".join(OBSERVED_ON_PRECISIONS),
    "unknown_pricing": "pricing {value!r} is not one of " + ", ".join(PRICINGS),
    "unknown_chip": "chip {value!r} has no row in data/chip_specs.csv",
    "unmapped_accelerator": "accelerator {value!r} has no canonical chip in data/accelerators.csv",
    "price_too_high": "{column} {value!r} is over $" + f"{MAX_USD_PER_CHIP_HOUR:,.0f}" + " per chip-hour",
    "instance_price_too_high": "usd_per_instance_hour / chips_per_instance ({value}) is over $"
    + f"{MAX_USD_PER_CHIP_HOUR:,.0f}"
    + " per chip-hour",
    "price_too_low": "{column} {value!r} is under $" + f"{MIN_USD_PER_HOUR:g}" + " per hour: too small to be a real "
    "price (likely a typo or wrong unit)",
    "price_outlier": "the price (per instance-hour, per chip-hour: {value}) is over "
    + str(MAX_TIMES_PEER_MEDIAN)
    + " times the median per chip-hour of the same source, day, chip and pricing: a placeholder, "
    "not a price",
    "no_price": "neither usd_per_instance_hour nor usd_per_chip_hour is given",
    "duplicate_observation": "the same source, day, provider, region, zone, instance type and pricing appears twice",
    "bad_cik": "cik {value!r} is not an SEC Central Index Key (up to 10 digits)",
    "unknown_company_id": "company_id {value!r} has no row in data/companies.csv",
    "unknown_concept": "concept {value!r} is not one of " + ", ".join(CONCEPTS),
    "bad_accession": "accession {value!r} is not an SEC accession number (##########-##-######)",
    "period_out_of_order": "period_start is after period_end ({value})",
    "unknown_form": "form {value!r} is not one of " + ", ".join(FILING_FORMS),
}

# Row checks that look at several columns report the row once, under these columns.
WIDE_CHECK_COLUMNS = {
    "self_flow": ["from_company", "to_company"],
    "successor_missing": ["superseded_by"],
    "superseded_without_successor": ["status", "superseded_by"],
    "successor_is_self": ["flow_id", "superseded_by"],
    "amounts_out_of_order": ["amount_low_usd", "amount_usd", "amount_high_usd"],
    "per_year_without_term": ["amount_basis", "term_years"],
    "absurd_total": ["amount_usd", "amount_low_usd", "amount_high_usd", "term_years"],
    "alias_taken": ["aliases"],
    "period_out_of_order": ["period_start", "period_end"],
    "no_price": ["usd_per_instance_hour", "usd_per_chip_hour"],
    "instance_price_too_high": ["usd_per_instance_hour", "chips_per_instance"],
    "price_outlier": ["usd_per_instance_hour", "usd_per_chip_hour"],
    "unmapped_accelerator": ["accelerator"],
    "duplicate_observation": ["observed_on", "provider", "region", "zone", "instance_type", "pricing"],
}


# --- parsing helpers (vectorised: pandera runs them on whole columns) -------------------------------


# Within one validation of a frame, each text column parsed as numbers once: every check of a number column
# (not_a_number, negative, the caps, the per-chip and peer checks) asks for it, and parsing is most of the
# time the checks take. Set by split_rows for the duration of one schema.validate; column name -> (rows, numbers).
_parsed_numbers: ContextVar[dict[str, tuple[pd.Index, pd.Series]] | None] = ContextVar("parsed_numbers", default=None)


def as_number(s: pd.Series) -> pd.Series:
    parsed = _parsed_numbers.get()
    known = parsed.get(s.name) if parsed is not None else None
    if known is not None and known[0].equals(s.index):
        return known[1]
    # float64, not the nullable Float64: comparisons must give False for a missing number, not <NA>.
    numbers = pd.to_numeric(s.astype("string").str.strip(), errors="coerce").astype("float64")
    if parsed is not None:
        parsed[s.name] = (s.index, numbers)
    return numbers


def is_number(s: pd.Series) -> pd.Series:
    return as_number(s).notna()


def parse_partial_date(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """'2025-09-22' | '2025-09' | '2025' -> (first day of that period, 'day'|'month'|'year')."""
    text = s.astype("string").str.strip()
    precision = text.str.len().map({10: "day", 7: "month", 4: "year"})
    padded = text.where(precision != "month", text + "-01").where(precision != "year", text + "-01-01")
    parsed = pd.to_datetime(
        padded.where(text.str.fullmatch(DATE_PATTERN).fillna(False)), format="%Y-%m-%d", errors="coerce"
    )
    return parsed.dt.date, precision.where(parsed.notna())


def normalise_name(s: pd.Series) -> pd.Series:
    return s.astype("string").str.strip().str.casefold()


def split_aliases(aliases: str | float | None) -> list[str]:
    """'a; b' -> ['a', 'b']; an empty cell (None, or NaN in a text column) -> []."""
    return [a.strip() for a in aliases.split(";") if a.strip()] if isinstance(aliases, str) else []


def alias_map(companies: pd.DataFrame) -> dict[str, str]:
    """Every spelling of a company (its id, name and aliases), case-folded, -> company_id."""
    mapping: dict[str, str] = {}
    for row in companies.itertuples():
        for spelling in [row.company_id, row.name, *split_aliases(row.aliases)]:
            mapping.setdefault(spelling.strip().casefold(), row.company_id)
    return mapping


def _check(name: str, fn: Callable[[pd.Series], pd.Series]) -> pa.Check:
    return pa.Check(fn, name=name)


def is_in(values: pd.Series, allowed) -> pd.Series:
    """values.isin(allowed), on Python objects: for Arrow-backed text and many allowed values (a deals file's
    flow ids) pandas 3.1's own isin is some 15 times slower (250k against 250k: 2.1 s against 0.14 s)."""
    if not isinstance(allowed, pd.Index):
        allowed = pd.Index(list(allowed), dtype=object)
    return values.astype(object).isin(allowed)


def _in(name: str, allowed) -> pa.Check:
    allowed = pd.Index(list(set(allowed)), dtype=object)  # once, not on every pass of the checks
    return _check(name, lambda s: is_in(s.astype("string").str.strip(), allowed))


def _text(*checks: pa.Check, required: bool = False, unique: bool = False) -> pa.Column:
    return pa.Column(
        str, list(checks), nullable=not required, unique=unique, report_duplicates="exclude_first", coerce=False
    )


def _number(*extra: pa.Check, required: bool = False) -> pa.Column:
    return _text(
        _check("not_a_number", is_number), _check("negative", lambda s: ~(as_number(s) < 0)), *extra, required=required
    )


def _amount() -> pa.Column:
    return _number(_check("absurd_amount", lambda s: ~(as_number(s) > MAX_AMOUNT_USD)))


def _price(*extra: pa.Check) -> pa.Column:
    too_low = _check("price_too_low", lambda s: ~as_number(s).between(0, MIN_USD_PER_HOUR, inclusive="neither"))
    return _text(
        _check("not_a_number", is_number), _check("not_positive", lambda s: ~(as_number(s) <= 0)), too_low, *extra
    )


def _date(today: date, required: bool = True) -> pa.Column:
    return _text(
        _check("bad_date", lambda s: parse_partial_date(s)[0].notna()),
        _check("future_date", lambda s: ~(parse_partial_date(s)[0] > today)),
        required=required,
    )


_url = _check("bad_url", lambda s: s.astype("string").str.strip().str.match(r"^https?://\S+$"))
_url_list = _check(
    "bad_url_list", lambda s: s.astype("string").str.fullmatch(r"https?://[^\s;]+(\s*;\s*https?://[^\s;]+)*")
)


def split_urls(s: pd.Series) -> pd.Series:
    """'u1; u2' -> ['u1', 'u2'] (None stays None)."""
    return s.map(lambda text: [u.strip() for u in text.split(";") if u.strip()] if isinstance(text, str) else None)


def totals_within_cap(d: pd.DataFrame) -> pd.Series:
    """False where amount_basis is per_year and an amount times term_years is over MAX_AMOUNT_USD."""
    largest = pd.concat([as_number(d[c]) for c in ("amount_usd", "amount_low_usd", "amount_high_usd")], axis=1)
    return ~((d.amount_basis == "per_year") & (largest.max(axis=1) * as_number(d.term_years) > MAX_AMOUNT_USD))


def amounts_in_order(d: pd.DataFrame) -> pd.Series:
    """amount_low_usd <= amount_usd <= amount_high_usd wherever both sides of a comparison are given."""
    low, mid, high = (as_number(d[c]) for c in ("amount_low_usd", "amount_usd", "amount_high_usd"))
    return ~((low > mid) | (mid > high) | (low > high))


# --- schemas ------------------------------------------------------------------------------------------


def companies_schema() -> pa.DataFrameSchema:
    def alias_free(df: pd.DataFrame) -> pd.Series:
        seen: set[str] = set()
        ok = []
        for row in df.itertuples():
            spellings = {a.casefold() for a in [str(row.company_id), str(row.name), *split_aliases(row.aliases)]}
            ok.append(not (spellings & seen))
            seen |= spellings
        return pd.Series(ok, index=df.index)

    return pa.DataFrameSchema(
        {
            "company_id": _text(
                _check("bad_company_id", lambda s: s.astype("string").str.fullmatch(r"[a-z0-9_]+")),
                required=True,
                unique=True,
            ),
            "name": _text(required=True),
            "kind": _text(_in("unknown_kind", COMPANY_KINDS), required=True),
            "is_big_three": _text(_in("not_boolean", BOOLEANS), required=True),
            "aliases": _text(),
            "cik": _text(_check("bad_cik", lambda s: s.astype("string").str.fullmatch(r"\d{1,10}"))),
        },
        checks=[_check("alias_taken", alias_free)],
        strict=False,
    )


def deals_schema(aliases: dict[str, str], today: date) -> pa.DataFrameSchema:
    def resolve(s: pd.Series) -> pd.Series:
        return normalise_name(s).map(aliases)

    known = _check("unknown_company", lambda s: resolve(s).notna())
    return pa.DataFrameSchema(
        {
            "flow_id": _text(required=True, unique=True),
            "deal_id": _text(required=True),
            "announced_on": _date(today),
            "from_company": _text(known, required=True),
            "to_company": _text(known, required=True),
            "flow_type": _text(_in("unknown_flow_type", FLOW_TYPES), required=True),
            "amount_usd": _amount(),
            "amount_basis": _text(_in("unknown_amount_basis", ("total", "per_year"))),
            "amount_low_usd": _amount(),
            "amount_high_usd": _amount(),
            "term_years": _number(
                _check("term_out_of_range", lambda s: ~((as_number(s) <= 0) | (as_number(s) > MAX_TERM_YEARS)))
            ),
            "is_firm": _text(_in("not_boolean", BOOLEANS), required=True),
            "status": _text(_in("unknown_status", STATUSES), required=True),
            "superseded_by": _text(),
            "compute_gw": _number(),
            "chip_family": _text(),
            "source_url": _text(_url, required=True),
            "source_quote": _text(),
            "primary_source_url": _text(_url),
            "source_tier": _text(_in("unknown_source_tier", SOURCE_TIERS), required=True),
            "corroborating_urls": _text(_url_list),
            "last_verified_on": _date(today),
            "note": _text(),
        },
        checks=[
            _check("self_flow", lambda d: (resolve(d.from_company) != resolve(d.to_company)).fillna(True)),
            _check("successor_missing", lambda d: d.superseded_by.isna() | is_in(d.superseded_by, d.flow_id)),
            _check("successor_is_self", lambda d: d.superseded_by.isna() | (d.superseded_by != d.flow_id)),
            _check("superseded_without_successor", lambda d: ~((d.status == "superseded") & d.superseded_by.isna())),
            _check("amounts_out_of_order", amounts_in_order),
            _check("per_year_without_term", lambda d: ~((d.amount_basis == "per_year") & d.term_years.isna())),
            _check("absurd_total", totals_within_cap),
        ],
        strict=False,
    )


def deal_events_schema(flow_ids: set[str], today: date) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "flow_id": _text(_in("unknown_flow", flow_ids), required=True),
            "event_on": _date(today),
            "event": _text(_in("unknown_event", EVENTS), required=True),
            "source_url": _text(_url, required=True),
            "quote": _text(),
        },
        strict=False,
    )


def company_facts_schema(companies: set[str], today: date) -> pa.DataFrameSchema:
    """A figure a company reported to the SEC (pipelines/filings/sec.py)."""

    def in_order(d: pd.DataFrame) -> pd.Series:
        start, end = (pd.to_datetime(parse_partial_date(d[c])[0]) for c in ("period_start", "period_end"))
        return ~(start > end)

    return pa.DataFrameSchema(
        {
            "company_id": _text(_in("unknown_company_id", companies), required=True),
            "concept": _text(_in("unknown_concept", CONCEPTS), required=True),
            "period_start": _date(today, required=False),  # none for an instant (RPO)
            "period_end": _date(today),
            "value_usd": _number(required=True),
            "filed_on": _date(today),
            "accession": _accession(),
            "source_url": _text(_url, required=True),
        },
        checks=[_check("period_out_of_order", in_order)],
        strict=False,
    )


def _accession() -> pa.Column:
    return _text(
        _check("bad_accession", lambda s: s.astype("string").str.fullmatch(r"\d{10}-\d{2}-\d{6}")), required=True
    )


def filings_schema(companies: set[str], today: date) -> pa.DataFrameSchema:
    """A filing read from the SEC (pipelines/filings/sec.py), its document as text."""
    return pa.DataFrameSchema(
        {
            "company_id": _text(_in("unknown_company_id", companies), required=True),
            "accession": _accession(),
            "form": _text(_in("unknown_form", FILING_FORMS), required=True),
            "filed_on": _date(today),
            "document_url": _text(_url, required=True),
        },
        strict=False,
    )


def press_releases_schema(companies: set[str], today: date) -> pa.DataFrameSchema:
    """An item of a company's newsroom feed (pipelines/filings/feeds.py)."""
    return pa.DataFrameSchema(
        {
            "company_id": _text(_in("unknown_company_id", companies), required=True),
            "item_id": _text(required=True),
            "link": _text(_url, required=True),
            "published_on": _date(today, required=False),
        },
        strict=False,
    )


def assumptions_schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "name": _text(required=True, unique=True),
            "value": _text(required=True),
            "unit": _text(required=True),
            "source": _text(required=True),
        },
        strict=False,
    )


def chip_specs_schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "chip": _text(required=True, unique=True),
            "vendor": _text(required=True),
            "custom_silicon": _text(_in("not_boolean", BOOLEANS), required=True),
            "bf16_dense_tflops": _number(),
            "fp8_dense_tflops": _number(),
            "hbm_gb": _number(),
            "tdp_w": _number(),
            "list_price_usd": _number(),
            "source_url": _text(_url, required=True),
            "spec_source_url": _text(_url),
        },
        strict=False,
    )


def within_peer_range(d: pd.DataFrame) -> pd.Series:
    """False for a chip-hour price over MAX_TIMES_PEER_MEDIAN x the median of its peers."""
    per_chip = as_number(d.usd_per_chip_hour).fillna(
        as_number(d.usd_per_instance_hour) / as_number(d.chips_per_instance)
    )
    peers = d[["source", "observed_on", "chip", "pricing"]].fillna("")
    grouped = per_chip.groupby([peers[c] for c in peers.columns])
    median = grouped.transform("median").where(grouped.transform("count") >= MIN_PEERS)
    return ~(per_chip > MAX_TIMES_PEER_MEDIAN * median)


def chip_prices_schema(chips: set[str], today: date) -> pa.DataFrameSchema:
    per_chip_cap = _check("price_too_high", lambda s: ~(as_number(s) > MAX_USD_PER_CHIP_HOUR))
    key = ["source", "observed_on", "provider", "region", "zone", "instance_type", "pricing"]
    return pa.DataFrameSchema(
        {
            "source": _text(required=True),
            "observed_on": _date(today),
            "observed_on_precision": _text(_in("unknown_precision", OBSERVED_ON_PRECISIONS)),
            "provider": _text(required=True),
            "region": _text(),
            "instance_type": _text(required=True),
            "chip": _text(_in("unknown_chip", chips)),
            "chips_per_instance": _number(
                _check(
                    "bad_chip_count",
                    lambda s: ~((as_number(s) < 1) | (as_number(s) > MAX_CHIPS_PER_INSTANCE) | (as_number(s) % 1 != 0)),
                ),
                required=True,
            ),
            "pricing": _text(_in("unknown_pricing", PRICINGS), required=True),
            "usd_per_instance_hour": _price(),
            "usd_per_chip_hour": _price(per_chip_cap),
            "source_url": _text(_url, required=True),
        },
        checks=[
            _check("unmapped_accelerator", lambda d: d.chip.notna()),
            _check("no_price", lambda d: d.usd_per_instance_hour.notna() | d.usd_per_chip_hour.notna()),
            _check(
                "instance_price_too_high",
                lambda d: (
                    ~(as_number(d.usd_per_instance_hour) / as_number(d.chips_per_instance) > MAX_USD_PER_CHIP_HOUR)
                ),
            ),
            _check("price_outlier", within_peer_range),
            _check("duplicate_observation", lambda d: ~d[[c for c in key if c in d]].fillna("").duplicated()),
        ],
        strict=False,
    )


# --- the split ------------------------------------------------------------------------------------------


def split_rows(
    raw: pd.DataFrame, schema: pa.DataFrameSchema, source_table: str, row_key: str, today: date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate `raw` (text columns plus `source_line`) -> (clean rows, quarantine rows).

    Validation repeats on what is left until it passes, so a row whose only fault is pointing at a
    rejected row (superseded_by) is caught too.
    """
    remaining = raw
    failures = []
    while len(remaining):
        parsing = _parsed_numbers.set({})  # the numbers of this frame, parsed once
        try:
            schema.validate(remaining, lazy=True)
            break
        except pa.errors.SchemaErrors as err:
            cases = err.failure_cases
            if cases["index"].isna().any():  # not about rows: a programming or schema error
                raise
            failures.append(cases)
            remaining = remaining.drop(index=cases["index"].unique())
        finally:
            _parsed_numbers.reset(parsing)
    quarantine = _quarantine_rows(raw, pd.concat(failures) if failures else None, source_table, row_key, today)
    return remaining, quarantine


def _quarantine_rows(
    raw: pd.DataFrame, cases: pd.DataFrame | None, source_table: str, row_key: str, today: date
) -> pd.DataFrame:
    if cases is None:
        return pd.DataFrame(columns=list(QUARANTINE_COLUMNS))
    rows, seen = [], set()
    for case in cases.itertuples():
        index, check = case.index, case.check
        wide = case.schema_context == "DataFrameSchema"
        columns = WIDE_CHECK_COLUMNS.get(check, [case.column]) if wide else [case.column]
        if (index, check, tuple(columns)) in seen:
            continue
        seen.add((index, check, tuple(columns)))
        record = raw.loc[index]
        value = ", ".join(_text_or_empty(record.get(c)) for c in columns)
        key = _text_or_empty(record.get(row_key)) or "?"
        line = int(record["source_line"])
        rows.append(
            {
                "source_table": source_table,
                "row_ref": f"line {line}: {key}",
                "source_line": line,
                "column_name": ",".join(columns),
                "check_name": check,
                "failure_value": value,
                "reason": REASONS.get(check, check).format(column=columns[0], value=value),
                "record": json.dumps({k: _text_or_none(v) for k, v in record.items() if k != "source_line"}),
                "detected_at": today,
            }
        )
    return pd.DataFrame(rows, columns=list(QUARANTINE_COLUMNS))


def _text_or_none(v) -> str | None:
    return None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


def _text_or_empty(v) -> str:
    return _text_or_none(v) or ""
