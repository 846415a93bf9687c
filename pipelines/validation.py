"""pandera schemas for the bundled and user-supplied sources, and the split into clean rows and quarantine.

Every source is read as text, so a schema sees exactly what the file said. A row that fails any check
goes to quarantine with one line per failure and a reason a person can act on; the rest go on.
Schema-level problems (a missing column) are not row problems: the ingest step refuses those first.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pandera.polars as pa
import polars as pl

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


# --- parsing helpers: polars expressions over a text column ----------------------------------------


def as_number(text: pl.Expr) -> pl.Expr:
    """A plain number ('12', ' 1.5e9 ') as a float; null for anything else ('5 billion', '1,000', 'nan')."""
    return text.str.strip_chars().cast(pl.Float64, strict=False).fill_nan(None)


def parse_partial_date(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """'2025-09-22' | '2025-09' | '2025' -> (first day of that period, 'day'|'month'|'year'); null otherwise."""
    stripped = text.str.strip_chars()
    length = stripped.str.len_chars()
    padded = pl.when(length == 7).then(stripped + "-01").when(length == 4).then(stripped + "-01-01").otherwise(stripped)
    day = pl.when(stripped.str.contains(DATE_PATTERN)).then(padded.str.to_date("%Y-%m-%d", strict=False))
    precision = pl.when(day.is_not_null()).then(
        pl.when(length == 10).then(pl.lit("day")).when(length == 7).then(pl.lit("month")).otherwise(pl.lit("year"))
    )
    return day, precision


# A number or date column's parsed value, worked out once per pass of the checks (with_parsed) instead of once
# in every check that reads it (parsing was most of the time the price checks took). No real header starts
# with a NUL character.
PARSED = "\x00parsed "


def parsed(column: pl.Expr) -> pl.Expr:
    """`column` (pl.col of a number or date column of the schema) as with_parsed parsed it: as_number's float,
    or the first day parse_partial_date gives."""
    return pl.col(PARSED + column.meta.output_name())


def with_parsed(frame: pl.DataFrame, schema: pa.DataFrameSchema) -> pl.DataFrame:
    """`frame` with each number and date column of `schema` also parsed, for parsed()."""
    parse = {"number": as_number, "date": lambda c: parse_partial_date(c)[0]}
    return frame.with_columns(
        parse[column.metadata["parse"]](pl.col(name)).alias(PARSED + name)
        for name, column in schema.columns.items()
        if name in frame.columns and (column.metadata or {}).get("parse")
    )


def without_parsed(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` without the columns with_parsed added."""
    return frame.drop(c for c in frame.columns if c.startswith(PARSED))


def resolve_company(text: pl.Expr, aliases: dict[str, str]) -> pl.Expr:
    """A company name or alias, any case -> its company_id; null when unknown (`aliases`: alias_map)."""
    return text.str.strip_chars().str.to_lowercase().replace_strict(aliases, default=None, return_dtype=pl.String)


def split_aliases(aliases: str | None) -> list[str]:
    """'a; b' -> ['a', 'b']; an empty cell -> []."""
    return [a.strip() for a in aliases.split(";") if a.strip()] if aliases else []


def spellings(company_id: str, name: str, aliases: str | None) -> list[str]:
    """Every spelling of a company (its id, name and aliases) as resolve_company compares them: trimmed,
    lower-cased."""
    return [spelling.strip().lower() for spelling in [company_id, name, *split_aliases(aliases)]]


def alias_map(companies: list[tuple[str, str, str | None]]) -> dict[str, str]:
    """Every spelling of a company -> company_id; `companies` are (company_id, name, aliases) rows."""
    mapping: dict[str, str] = {}
    for company_id, name, aliases in companies:
        for spelling in spellings(company_id, name, aliases):
            mapping.setdefault(spelling, company_id)
    return mapping


def split_urls(text: pl.Expr) -> pl.Expr:
    """'u1; u2' -> ['u1', 'u2'] (null stays null)."""
    return (
        text.str.split(";").list.eval(pl.element().str.strip_chars()).list.eval(pl.element().filter(pl.element() != ""))
    )


# --- checks ---------------------------------------------------------------------------------------------


def _check(name: str, passes: Callable[[pl.Expr], pl.Expr]) -> pa.Check:
    """A check of one column: `passes(column)` is true for a good value. An empty cell passes (not_nullable
    is the check for a required one), and so does a null result: pandera counts it as passing."""
    return pa.Check(
        lambda data: data.lazyframe.select(passes(pl.col(data.key)) | pl.col(data.key).is_null()), name=name
    )


def _row_check(name: str, passes: Callable[[], pl.Expr]) -> pa.Check:
    """A check of whole rows: `passes()` is a boolean expression over the row's columns (null passes)."""
    return pa.Check(lambda data: data.lazyframe.select(passes()), name=name)


def _in(name: str, allowed) -> pa.Check:
    allowed = pl.Series(sorted(set(allowed)), dtype=pl.String).implode()  # once, not on every pass
    return _check(name, lambda c: c.str.strip_chars().is_in(allowed))


def _first(column: pl.Expr) -> pl.Expr:
    # "exclude_first": the first row with a value is kept, the later ones are the duplicates
    return column.is_first_distinct()


def _text(*checks: pa.Check, required: bool = False, unique: bool = False, parse: str | None = None) -> pa.Column:
    """A text column with `checks`; `parse` ("number", "date"): with_parsed parses it once, for parsed()."""
    unique_check = [_check("field_uniqueness", _first)] if unique else []
    return pa.Column(
        pl.String,
        [*unique_check, *checks],
        nullable=not required,
        coerce=False,
        metadata={"parse": parse} if parse else None,
    )


def _number(*extra: pa.Check, required: bool = False) -> pa.Column:
    return _text(
        _check("not_a_number", lambda c: parsed(c).is_not_null()),
        _check("negative", lambda c: ~(parsed(c) < 0)),
        *extra,
        required=required,
        parse="number",
    )


def _amount() -> pa.Column:
    return _number(_check("absurd_amount", lambda c: ~(parsed(c) > MAX_AMOUNT_USD)))


def _price(*extra: pa.Check) -> pa.Column:
    return _text(
        _check("not_a_number", lambda c: parsed(c).is_not_null()),
        _check("not_positive", lambda c: ~(parsed(c) <= 0)),
        _check("price_too_low", lambda c: ~((parsed(c) > 0) & (parsed(c) < MIN_USD_PER_HOUR))),
        *extra,
        parse="number",
    )


def _date(today: date, required: bool = True) -> pa.Column:
    return _text(
        _check("bad_date", lambda c: parsed(c).is_not_null()),
        _check("future_date", lambda c: ~(parsed(c) > today)),
        required=required,
        parse="date",
    )


_url = _check("bad_url", lambda c: c.str.strip_chars().str.contains(r"^https?://\S+$"))
_url_list = _check("bad_url_list", lambda c: c.str.contains(r"^https?://[^\s;]+(\s*;\s*https?://[^\s;]+)*$"))


def totals_within_cap() -> pl.Expr:
    """False where amount_basis is per_year and an amount times term_years is over MAX_AMOUNT_USD."""
    largest = pl.max_horizontal(parsed(pl.col(c)) for c in ("amount_usd", "amount_low_usd", "amount_high_usd"))
    return ~((pl.col("amount_basis") == "per_year") & (largest * parsed(pl.col("term_years")) > MAX_AMOUNT_USD))


def amounts_in_order() -> pl.Expr:
    """amount_low_usd <= amount_usd <= amount_high_usd wherever both sides of a comparison are given."""
    low, mid, high = (parsed(pl.col(c)) for c in ("amount_low_usd", "amount_usd", "amount_high_usd"))
    return ~((low > mid) | (mid > high) | (low > high))


# --- schemas ------------------------------------------------------------------------------------------


def companies_schema() -> pa.DataFrameSchema:
    def alias_free(data) -> pl.LazyFrame:
        seen: set[str] = set()
        ok = []
        for company_id, name, aliases in data.lazyframe.select("company_id", "name", "aliases").collect().iter_rows():
            its = set(spellings(str(company_id), str(name), aliases))
            ok.append(not (its & seen))
            seen |= its
        return pl.LazyFrame({"alias_free": ok}, schema={"alias_free": pl.Boolean})

    return pa.DataFrameSchema(
        {
            "company_id": _text(
                _check("bad_company_id", lambda c: c.str.contains(r"^[a-z0-9_]+$")),
                required=True,
                unique=True,
            ),
            "name": _text(required=True),
            "kind": _text(_in("unknown_kind", COMPANY_KINDS), required=True),
            "is_big_three": _text(_in("not_boolean", BOOLEANS), required=True),
            "aliases": _text(),
            "cik": _text(_check("bad_cik", lambda c: c.str.contains(r"^\d{1,10}$"))),
        },
        checks=[pa.Check(alias_free, name="alias_taken")],
        strict=False,
    )


def deals_schema(aliases: dict[str, str], today: date) -> pa.DataFrameSchema:
    known = _check("unknown_company", lambda c: resolve_company(c, aliases).is_not_null())
    superseded_by = pl.col("superseded_by")
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
                _check("term_out_of_range", lambda c: ~((parsed(c) <= 0) | (parsed(c) > MAX_TERM_YEARS)))
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
            _row_check(
                "self_flow",
                lambda: (
                    resolve_company(pl.col("from_company"), aliases) != resolve_company(pl.col("to_company"), aliases)
                ).fill_null(True),
            ),
            _row_check(
                "successor_missing",
                lambda: superseded_by.is_null() | superseded_by.is_in(pl.col("flow_id").implode()),
            ),
            _row_check("successor_is_self", lambda: superseded_by.is_null() | (superseded_by != pl.col("flow_id"))),
            _row_check(
                "superseded_without_successor",
                lambda: ~((pl.col("status") == "superseded") & superseded_by.is_null()).fill_null(False),
            ),
            _row_check("amounts_out_of_order", amounts_in_order),
            _row_check(
                "per_year_without_term",
                lambda: ~((pl.col("amount_basis") == "per_year") & pl.col("term_years").is_null()).fill_null(False),
            ),
            _row_check("absurd_total", totals_within_cap),
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

    def in_order() -> pl.Expr:
        start, end = (parsed(pl.col(c)) for c in ("period_start", "period_end"))
        return ~(start > end)

    return pa.DataFrameSchema(
        {
            "company_id": _text(_in("unknown_company_id", companies), required=True),
            "concept": _text(_in("unknown_concept", CONCEPTS), required=True),
            "period_start": _date(today, required=False),  # none for an instant (RPO)
            "period_end": _date(today),
            "value_usd": _number(required=True),
            "filed_on": _date(today),
            "tag_rank": _number(),
            "fiscal_year": _number(),
            "accession": _accession(),
            "source_url": _text(_url, required=True),
        },
        checks=[_row_check("period_out_of_order", in_order)],
        strict=False,
    )


def _accession() -> pa.Column:
    return _text(_check("bad_accession", lambda c: c.str.contains(r"^\d{10}-\d{2}-\d{6}$")), required=True)


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
            "mem_bw_tb_s": _number(),
            "tdp_w": _number(),
            "list_price_usd": _number(),
            "source_url": _text(_url, required=True),
            "spec_source_url": _text(_url),
        },
        strict=False,
    )


def within_peer_range(data) -> pl.LazyFrame:
    """False for a chip-hour price over MAX_TIMES_PEER_MEDIAN x the median of its peers. The peers' count and
    median come from one group-by joined back (two window expressions over the same groups took twice as long)."""
    peers = ["source", "observed_on", "chip", "pricing"]
    per_chip = pl.coalesce(
        parsed(pl.col("usd_per_chip_hour")),
        parsed(pl.col("usd_per_instance_hour")) / parsed(pl.col("chips_per_instance")),
    )
    rows = data.lazyframe.select(pl.col(peers).fill_null(""), per_chip.alias("per_chip"))
    groups = rows.group_by(peers).agg(
        pl.col("per_chip").count().alias("peers"), pl.col("per_chip").median().alias("median")
    )
    median = pl.when(pl.col("peers") >= MIN_PEERS).then(pl.col("median"))
    return rows.join(groups, on=peers, how="left", maintain_order="left").select(
        ~(pl.col("per_chip") > MAX_TIMES_PEER_MEDIAN * median)
    )


def chip_prices_schema(chips: set[str], today: date) -> pa.DataFrameSchema:
    per_chip_cap = _check("price_too_high", lambda c: ~(parsed(c) > MAX_USD_PER_CHIP_HOUR))
    key = ["source", "observed_on", "provider", "region", "zone", "instance_type", "pricing"]

    def first_of_its_key(data) -> pl.LazyFrame:
        present = [c for c in key if c in data.lazyframe.collect_schema()]
        return data.lazyframe.select(_first(pl.struct([pl.col(c).fill_null("") for c in present])))

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
                    lambda c: ~((parsed(c) < 1) | (parsed(c) > MAX_CHIPS_PER_INSTANCE) | (parsed(c) % 1 != 0)),
                ),
                required=True,
            ),
            "pricing": _text(_in("unknown_pricing", PRICINGS), required=True),
            "usd_per_instance_hour": _price(),
            "usd_per_chip_hour": _price(per_chip_cap),
            "source_url": _text(_url, required=True),
        },
        checks=[
            _row_check("unmapped_accelerator", lambda: pl.col("chip").is_not_null()),
            _row_check(
                "no_price",
                lambda: pl.col("usd_per_instance_hour").is_not_null() | pl.col("usd_per_chip_hour").is_not_null(),
            ),
            _row_check(
                "instance_price_too_high",
                lambda: (
                    ~(
                        parsed(pl.col("usd_per_instance_hour")) / parsed(pl.col("chips_per_instance"))
                        > MAX_USD_PER_CHIP_HOUR
                    )
                ),
            ),
            pa.Check(within_peer_range, name="price_outlier"),
            pa.Check(first_of_its_key, name="duplicate_observation"),
        ],
        strict=False,
    )


# --- the split ------------------------------------------------------------------------------------------


def split_rows(
    raw: pl.DataFrame, schema: pa.DataFrameSchema, source_table: str, row_key: str, today: date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Validate `raw` (text columns plus `source_line`) -> (clean rows, quarantine rows). The clean rows keep
    the columns with_parsed added, for typing them (parsed(); without_parsed drops them).

    Validation repeats on what is left until it passes, so a row whose only fault is pointing at a
    rejected row (superseded_by) is caught too.
    """
    remaining = with_parsed(raw, schema)
    failures = []
    while remaining.height:
        try:
            schema.validate(remaining, lazy=True)
            break
        except pa.errors.SchemaErrors as err:
            cases = err.failure_cases
            if cases["index"].is_null().any():  # not about rows: a programming or schema error
                raise
            lines = remaining["source_line"].gather(cases["index"])
            failures.append(cases.with_columns(source_line=lines))
            remaining = remaining.filter(~pl.col("source_line").is_in(lines.unique().implode()))
    quarantine = _quarantine_rows(raw, pl.concat(failures) if failures else None, source_table, row_key, today)
    return remaining, quarantine


def _quarantine_rows(
    raw: pl.DataFrame, cases: pl.DataFrame | None, source_table: str, row_key: str, today: date
) -> pl.DataFrame:
    schema = dict.fromkeys(QUARANTINE_COLUMNS, pl.String)  # as text: the writer casts each to its type
    if cases is None:
        return pl.DataFrame(schema=schema)
    failed = raw.filter(pl.col("source_line").is_in(cases["source_line"].unique().implode()))
    records = {row["source_line"]: row for row in failed.iter_rows(named=True)}
    rows, seen = [], set()
    for case in cases.iter_rows(named=True):
        line, check = case["source_line"], case["check"]
        wide = case["schema_context"] == "DataFrameSchema"
        columns = WIDE_CHECK_COLUMNS.get(check, [case["column"]]) if wide else [case["column"]]
        if (line, check, tuple(columns)) in seen:
            continue
        seen.add((line, check, tuple(columns)))
        record = records[line]
        value = ", ".join(record.get(c) or "" for c in columns)
        rows.append(
            {
                "source_table": source_table,
                "row_ref": f"line {line}: {record.get(row_key) or '?'}",
                "source_line": str(line),
                "column_name": ",".join(columns),
                "check_name": check,
                "failure_value": value,
                "reason": REASONS.get(check, check).format(column=columns[0], value=value),
                "record": json.dumps({k: v for k, v in record.items() if k != "source_line"}),
                "detected_at": today.isoformat(),
            }
        )
    return pl.DataFrame(rows, schema=schema)
