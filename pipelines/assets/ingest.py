"""Ingest: each source read as is (every value as text) into a raw_* table of the warehouse.

A source that cannot be read at all (missing file, unreachable URL, not CSV, a required column
missing, a reserved column name) or that has no rows fails its step with a message naming the source
and the problem; nothing downstream runs, so the last published snapshot stays as it was.
"""

import csv
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
from dagster_duckdb import DuckDBResource

from pipelines.prices.http import HttpClient, SourceError
from pipelines.prices.observations import COLUMNS as PRICE_COLUMNS
from pipelines.resources import PipelineSettings
from pipelines.runs import POOL
from pipelines.warehouse import quoted, quoted_name, table_metadata


@dataclass(frozen=True)
class CsvSource:
    name: str  # the raw table is raw_<name>
    description: str
    required_columns: tuple[str, ...]
    bundled_file: str  # file name in data/, unless a setting points elsewhere
    constant_columns: dict[str, str] = field(default_factory=dict)  # added to every row, e.g. the price source

    def location(self, settings: PipelineSettings) -> str:
        """Where to read; empty when the source is switched off (then its raw table is empty)."""
        if self.name == "deals":
            return settings.deals_source
        if self.name == "deal_events":
            return settings.deal_events_location
        return settings.bundled(self.bundled_file)


SOURCES = [
    CsvSource(
        "companies",
        "Companies and every spelling they go by, as read from data/companies.csv.",
        ("company_id", "name", "kind", "is_big_three", "aliases", "cik"),
        "companies.csv",
    ),
    CsvSource(
        "deals",
        "Announced deal flows as read from AIINFRA_DEALS_SOURCE (default: the bundled data/deals.csv).",
        (
            "flow_id",
            "deal_id",
            "announced_on",
            "from_company",
            "to_company",
            "flow_type",
            "amount_usd",
            "amount_basis",
            "amount_low_usd",
            "amount_high_usd",
            "term_years",
            "is_firm",
            "status",
            "superseded_by",
            "compute_gw",
            "chip_family",
            "source_url",
            "source_quote",
            "primary_source_url",
            "source_tier",
            "corroborating_urls",
            "last_verified_on",
            "note",
        ),
        "deals.csv",
    ),
    CsvSource(
        "deal_events",
        "What happened to each flow after its announcement (closed, tranche paid, walked back, ...), "
        "as read from AIINFRA_DEAL_EVENTS_SOURCE (default: the bundled data/deal_events.csv with the bundled deals).",
        ("flow_id", "event_on", "event", "source_url", "quote"),
        "deal_events.csv",
    ),
    CsvSource(
        "chip_specs",
        "Accelerator specifications and list prices as read from data/chip_specs.csv.",
        (
            "chip",
            "vendor",
            "custom_silicon",
            "release_date",
            "bf16_dense_tflops",
            "fp8_dense_tflops",
            "hbm_gb",
            "mem_bw_tb_s",
            "tdp_w",
            "list_price_usd",
            "list_price_note",
            "list_price_source_url",
            "source_url",
            "source_quote",
            "spec_source_url",
            "note",
        ),
        "chip_specs.csv",
    ),
    CsvSource(
        "assumptions",
        "Every constant a metric uses, with unit and source, as read from data/assumptions.csv.",
        ("name", "value", "unit", "source", "note"),
        "assumptions.csv",
    ),
    CsvSource(
        "chip_prices",
        "Curated hourly price observations (price source `reference`) as read from data/chip_prices.csv.",
        # a price observation's columns, less its source (constant here) and the zone and the source's own
        # accelerator name, which curated rows do not have
        tuple(c for c in PRICE_COLUMNS if c not in ("source", "zone", "accelerator")),
        "chip_prices.csv",
        constant_columns={"source": "reference"},
    ),
]


def read_csv_text(location: str, http: HttpClient) -> str:
    """The text of a CSV at a local path or an http(s) URL; dg.Failure naming it when it can't be read."""
    try:
        if location.startswith(("http://", "https://")):
            return http.get(location).decode("utf-8")
        return Path(location).read_text(encoding="utf-8")
    except (OSError, SourceError, UnicodeDecodeError) as err:
        raise dg.Failure(f"Cannot read source {location}: {err}") from err


def require_rows(source: str, rows: int, where: str, settings: PipelineSettings) -> None:
    """dg.Failure when a source in use yields no rows, unless it is listed in AIINFRA_ALLOW_EMPTY_SOURCES:
    a header-only file or an empty fetch is a broken source, not an empty table to publish."""
    if rows == 0 and source not in settings.allow_empty_sources:
        raise dg.Failure(
            f"Source {source} has no rows ({where}); a source with no rows is taken as broken. "
            f"If {source} may be empty, list it in AIINFRA_ALLOW_EMPTY_SOURCES."
        )


def check_header(header: list[str] | None, location: str) -> list[str]:
    if header is None:
        raise dg.Failure(f"Source {location} is empty: not even a header line")
    if "source_line" in header:
        raise dg.Failure(
            f"Source {location} has a column named source_line, a name the pipeline reserves "
            "for each row's line number in the file; rename or drop that column"
        )
    repeated = sorted({c for c in header if header.count(c) > 1})  # which of them would a check read?
    if repeated:
        raise dg.Failure(f"Source {location} has more than one column named {', '.join(map(repr, repeated))}")
    return header


def check_columns(source: CsvSource, columns: list[str], location: str) -> None:
    missing = [c for c in source.required_columns if c not in columns]
    if missing:
        raise dg.Failure(
            f"Source {location} lacks required column(s) {', '.join(missing)}; "
            f"expected at least: {', '.join(source.required_columns)}"
        )


def parse_csv(text: str, location: str) -> pd.DataFrame:
    """CSV text -> text columns (blank -> NULL, whitespace trimmed) plus `source_line`, the file line each
    record starts on (a quoted field may span several lines). Blank lines are skipped; a short row is
    padded with empty fields."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))  # a BOM is not part of the header
    try:
        header = check_header(next(reader, None), location)
        rows, lines, start = [], [], reader.line_num + 1
        for record in reader:
            if len(record) > len(header):
                raise dg.Failure(
                    f"Source {location} line {start} has {len(record)} fields; the header has {len(header)}"
                )
            if record:
                rows.append(record + [None] * (len(header) - len(record)))
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as err:
        raise dg.Failure(f"Source {location} is not a readable CSV file (line {reader.line_num}): {err}") from err
    frame = pd.DataFrame(rows, columns=header, dtype=str).apply(lambda col: col.str.strip().mask(lambda s: s == ""))
    frame.insert(0, "source_line", pd.Series(lines, dtype="int64"))
    return frame


# What str.strip() removes (every whitespace character is below U+3001), for DuckDB's trim(). trim() with a
# set of characters is slow (15 s a million rows of 14 columns), so only values with whitespace at an end
# (a regular expression finds them) are trimmed, and only in rows where one value has: one search of the
# row's values joined by a control character is cheaper than one search per value (5.7 s against 7.3 s for
# 10M rows of 14 columns).
WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
_EDGE = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE) + "]"
_JOIN = 1  # the code point between a row's values: not whitespace; a value holding it costs its row a closer look


def read_header(path: Path) -> list[str] | None:
    """The header, as the csv module reads the first line; None when that line is blank."""
    with path.open("rb") as f:
        first = f.readline()
    return next(csv.reader([first.decode("utf-8-sig").rstrip("\r\n")]), None) if first.strip() else None


def count_lines(path: Path) -> tuple[int, bool]:
    """How many lines the file has, and whether any is blank (csv skips those, so numbering records by position
    would drift; the count then stops, at 0)."""
    with path.open("rb") as f:
        lines, tail = 0, b"\n"  # as if a line ended before the file: a blank first line is blank
        while chunk := f.read(1 << 24):
            seam = tail + chunk[:2]  # a blank line across two chunks
            if b"\n\n" in chunk or b"\n\r\n" in chunk or b"\n\n" in seam or b"\n\r\n" in seam:
                return 0, True  # the caller reads such a file with the exact parser, uncounted
            lines += chunk.count(b"\n")
            tail = (tail + chunk[-2:])[-2:]
    return lines + (not tail.endswith(b"\n")), False  # a last line without a line break counts too


def read_simple_csv(conn: duckdb.DuckDBPyConnection, source: CsvSource, path: Path, location: str, table: str) -> bool:
    """The fast path for local files, big ones above all: DuckDB's parallel CSV reader straight into `table`, as
    parse_csv would read the file, when each record is one line (then the record at position i starts on line
    i + 1). False for anything else (a quoted line break, blank lines, a ragged row, bytes that are not UTF-8, no
    header), with `table` unread or to be replaced: parse_csv reads those exactly and says what is wrong."""
    try:
        header = read_header(path)
    except (OSError, UnicodeDecodeError, csv.Error):
        return False
    if not header:
        return False
    check_header(header, location)
    check_columns(source, header, location)
    # The lines are counted while DuckDB reads the file (both release the GIL): 2 s more for 10M rows, not 5.8 s.
    with ThreadPoolExecutor(max_workers=1) as counter:
        counted = counter.submit(count_lines, path)
        read = _read_csv(conn, source, path, header, table)
        try:
            lines, blank = counted.result()
        except OSError:
            return False
    if not read or blank:
        return False
    [(records,)] = conn.execute(f"select count(*) from {table}").fetchall()
    if records + 1 != lines:  # a quoted line break
        return False
    # rowid: the position in the file, as the reader and the insert keep the file's order (preserve_insertion_order);
    # numbering afterwards (0.6 s for 10M rows) keeps one copy of the rows, not a temporary one besides
    conn.execute(f"update {table} set source_line = rowid + 2")
    return True


def _read_csv(conn: duckdb.DuckDBPyConnection, source: CsvSource, path: Path, header: list[str], table: str) -> bool:
    """The file into `table` with DuckDB's reader, every value text, whitespace trimmed as parse_csv trims it
    (`source_line` still empty); False when the reader refuses the file."""
    columns = "{" + ", ".join(f"{quoted(c)}: 'varchar'" for c in header) + "}"
    names = [quoted_name(c) for c in header]
    trimmed = ", ".join(
        f"nullif(case when __edge and regexp_matches({n}, '^{_EDGE}|{_EDGE}$') then trim({n}, {quoted(WHITESPACE)})"
        f" else {n} end, '') as {n}"
        for n in names
    )
    row, join = f"concat_ws(chr({_JOIN}), {', '.join(names)})", f"\\x{{{_JOIN:x}}}"
    constants = "".join(f", {quoted(v)} as {k}" for k, v in source.constant_columns.items())
    try:
        conn.execute(
            f"""create or replace table {table} as
            select null::bigint as source_line, {trimmed}{constants}
            from (
                select *, regexp_matches({row}, '(^|{join}){_EDGE}|{_EDGE}({join}|$)') as __edge
                from read_csv(?, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
                              columns = {columns}, strict_mode = true, null_padding = true)
            )""",
            [str(path)],
        )
    except duckdb.Error:
        return False
    return True


def read_source(source: CsvSource, location: str, http: HttpClient) -> pd.DataFrame:
    """The source as parse_csv reads it, with the source's constant columns; no rows when the source is
    switched off (empty location)."""
    if not location:
        empty = pd.DataFrame({c: pd.Series(dtype=str) for c in source.required_columns})
        empty.insert(0, "source_line", pd.Series(dtype="int64"))
        return empty.assign(**source.constant_columns)
    frame = parse_csv(read_csv_text(location, http), location)
    check_columns(source, list(frame.columns), location)
    return frame.assign(**source.constant_columns)


def ingest(
    source: CsvSource,
    context: dg.AssetExecutionContext,
    settings: PipelineSettings,
    http: HttpClient,
    duckdb: DuckDBResource,
) -> dg.MaterializeResult:
    """Read one source into raw_<name>."""
    location = source.location(settings)
    local = bool(location) and not location.startswith(("http://", "https://"))
    settings.warehouse_db.parent.mkdir(parents=True, exist_ok=True)
    table = f"raw_{source.name}"
    with duckdb.get_connection() as conn:
        if not (local and read_simple_csv(conn, source, Path(location), location, table)):
            conn.register("frame", read_source(source, location, http))
            conn.execute(f"create or replace table {table} as select * from frame")
        [(rows,)] = conn.execute(f"select count(*) from {table}").fetchall()
        if location:  # a switched-off source is empty by design
            require_rows(source.name, rows, f"read from {location}", settings)
        metadata = table_metadata(conn, table)
    context.log.info(f"Read {rows} rows from {location or '(no source configured)'}")
    return dg.MaterializeResult(
        asset_key=f"raw_{source.name}", metadata={**metadata, "source": dg.MetadataValue.text(location or "none")}
    )


@dg.multi_asset(
    name="raw_sources",
    specs=[
        dg.AssetSpec(
            f"raw_{source.name}",
            group_name="ingest",
            kinds={"python", "duckdb"},
            description=source.description,
        )
        for source in SOURCES
    ],
    can_subset=True,  # one source can be read again on its own
    pool=POOL,
)
def raw_sources(
    context: dg.AssetExecutionContext, settings: PipelineSettings, http: HttpClient, duckdb: DuckDBResource
):
    """Every CSV source in one step (a step each cost more Dagster bookkeeping than reading the files)."""
    for source in SOURCES:
        if dg.AssetKey(f"raw_{source.name}") in context.selected_asset_keys:
            yield ingest(source, context, settings, http, duckdb)
