"""Validate: pandera checks on each raw_* table -> clean_<source> (typed) and quarantined_<source>.

Each source is validated in a step of its own, `clean_<source>`, which writes both of its tables; the daily
price observations' step is partitioned by day.

Rejected rows are kept, one line per failed check, with the whole record and a reason; the
`quarantine` model table gathers them. A blocking check stops the run before anything is published
when most rows of a source were rejected (a broken file, not a few bad rows) or when it has no rows
at all and its sources are not listed in AIINFRA_ALLOW_EMPTY_SOURCES.
"""

import dataclasses
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import dagster as dg
import pandera.polars as pa
import polars as pl
from dagster_duckdb import DuckDBResource
from duckdb import DuckDBPyConnection

from pipelines import validation as v
from pipelines.assets.ingest import SOURCES
from pipelines.partitions import daily_partitions
from pipelines.prices.observations import create_raw_table
from pipelines.resources import PipelineSettings
from pipelines.runs import POOL
from pipelines.warehouse import quoted_name, table_metadata

MAX_REJECTED_SHARE = 0.5
STAGED = "staged_"  # the prefix of the tables a validation writes before they replace clean_* and quarantined_*
T = TypeVar("T")


def _today() -> date:
    return datetime.now(UTC).date()


def _bool(column: str) -> pl.Expr:
    return (pl.col(column).str.strip_chars().str.to_lowercase() == "true").fill_null(False)


def _parsed(*columns: str) -> list[pl.Expr]:
    """Number and date columns as the values validation parsed (split_rows keeps them; parsing 10M prices again
    took 2-3 s). The schema declares which columns are parsed, and how (validation._number, _date, ...)."""
    return [v.parsed(pl.col(c)).alias(c) for c in columns]


def _type_companies(clean: pl.DataFrame, _lookup) -> pl.DataFrame:
    return clean.with_columns(_bool("is_big_three").alias("is_big_three"))


def _type_deals(clean: pl.DataFrame, aliases: dict[str, str]) -> pl.DataFrame:
    announced_on, precision = v.parse_partial_date(pl.col("announced_on"))
    return clean.with_columns(
        announced_on.alias("announced_on"),
        precision.alias("date_precision"),
        *_parsed("last_verified_on"),
        v.split_urls(pl.col("corroborating_urls")).alias("corroborating_urls"),
        v.resolve_company(pl.col("from_company"), aliases).alias("from_company"),
        v.resolve_company(pl.col("to_company"), aliases).alias("to_company"),
        pl.col("amount_basis").fill_null("total"),
        _bool("is_firm").alias("is_firm"),
        *_parsed("amount_usd", "amount_low_usd", "amount_high_usd", "term_years", "compute_gw"),
    )


def _type_deal_events(clean: pl.DataFrame, _lookup) -> pl.DataFrame:
    event_on, precision = v.parse_partial_date(pl.col("event_on"))
    return clean.with_columns(event_on.alias("event_on"), precision.alias("date_precision"))


def _type_chip_specs(clean: pl.DataFrame, _lookup) -> pl.DataFrame:
    numeric = ("bf16_dense_tflops", "fp8_dense_tflops", "hbm_gb", "mem_bw_tb_s", "tdp_w", "list_price_usd")
    return clean.with_columns(_bool("custom_silicon").alias("custom_silicon"), *_parsed(*numeric))


def _type_chip_prices(clean: pl.DataFrame, _lookup) -> pl.DataFrame:
    observed_on, precision = v.parse_partial_date(pl.col("observed_on"))
    return clean.with_columns(
        observed_on.alias("observed_on"),
        pl.col("observed_on_precision").fill_null(precision),
        *_parsed("chips_per_instance", "usd_per_instance_hour", "usd_per_chip_hour"),
    )


def _type_company_facts(clean: pl.DataFrame, _lookup) -> pl.DataFrame:
    return clean.with_columns(
        *_parsed("period_start", "period_end", "filed_on", "value_usd", "tag_rank", "fiscal_year")
    )


def _type_filings(clean: pl.DataFrame, _lookup) -> pl.DataFrame:
    return clean.with_columns(*_parsed("filed_on"))


def _type_press_releases(clean: pl.DataFrame, _lookup) -> pl.DataFrame:
    return clean.with_columns(*_parsed("published_on"))


def _known_companies(conn: DuckDBPyConnection) -> set[str]:
    return {company for (company,) in conn.execute("select company_id from clean_companies").fetchall()}


def _known_chips(conn: DuckDBPyConnection) -> set[str]:
    return {chip for (chip,) in conn.execute("select chip from clean_chip_specs").fetchall()}


@dataclass(frozen=True)
class Validation:
    name: str  # validates raw_<name> into clean_<name> and quarantined_<name>
    row_key: str  # the column that names a row in quarantine's row_ref
    schema: Callable[[Any, date], pa.DataFrameSchema]  # (lookup, today) -> schema
    to_typed: Callable[[pl.DataFrame, Any], pl.DataFrame]  # (clean rows, lookup) -> typed table
    description: str
    needs: str | None = None  # a clean table the checks look values up in
    lookup: Callable[[DuckDBPyConnection], Any] = lambda conn: None
    partitions_def: dg.PartitionsDefinition | None = None  # daily: validate and replace one day's rows
    # The raw tables validated, each the asset of the same name: raw_<name>, or (daily prices) one per source.
    raw_assets: tuple[str, ...] = ()
    # The names in AIINFRA_ALLOW_EMPTY_SOURCES that let the raw tables be empty, for the settings in force;
    # None: the CSV source <name>, when it is switched on.
    in_use: Callable[[PipelineSettings], list[str]] | None = None
    # Validate in chunks of AIINFRA_VALIDATE_CHUNK_ROWS rows, each holding whole groups of this column: the
    # checks that compare rows (duplicates, peer medians) compare rows of one group only. None: all at once.
    chunk_by: str | None = None


VALIDATIONS = [
    Validation(
        "companies",
        "company_id",
        lambda _, today: v.companies_schema(),
        _type_companies,
        "Companies that pass validation, one row per company_id.",
    ),
    Validation(
        "deals",
        "flow_id",
        v.deals_schema,
        _type_deals,
        "Deal flows that pass validation, company names resolved to company_id, typed.",
        needs="companies",
        lookup=lambda conn: v.alias_map(
            conn.execute("select company_id, name, aliases from clean_companies").fetchall()
        ),
    ),
    Validation(
        "deal_events",
        "flow_id",
        v.deal_events_schema,
        _type_deal_events,
        "Deal events (closings, tranches, walk-backs, ...) that pass validation, each for a flow that did.",
        needs="deals",
        lookup=lambda conn: {flow for (flow,) in conn.execute("select flow_id from clean_deals").fetchall()},
    ),
    Validation(
        "chip_specs",
        "chip",
        lambda _, today: v.chip_specs_schema(),
        _type_chip_specs,
        "Chip specifications that pass validation, typed.",
    ),
    Validation(
        "assumptions",
        "name",
        lambda _, today: v.assumptions_schema(),
        lambda clean, _: clean,
        "Metric constants that pass validation.",
    ),
    Validation(
        "chip_prices",
        "instance_type",
        v.chip_prices_schema,
        _type_chip_prices,
        "Curated hourly price observations (source `reference`) that pass validation, typed.",
        needs="chip_specs",
        lookup=_known_chips,
        chunk_by="observed_on",
    ),
    Validation(
        "company_facts",
        "accession",
        v.company_facts_schema,
        _type_company_facts,
        "Figures companies reported to the SEC (RPO, capex, revenue) that pass validation, typed; one row per "
        "fact and filing.",
        needs="companies",
        lookup=_known_companies,
        raw_assets=("sec_company_facts",),
        in_use=lambda settings: [],  # sec_company_facts refuses a source that reads none (require_rows)
    ),
    Validation(
        "filings",
        "accession",
        v.filings_schema,
        _type_filings,
        "SEC filings read from the filing sources that pass validation, each primary document as text.",
        needs="companies",
        lookup=_known_companies,
        raw_assets=("sec_filings",),
        # a run may find no filing since AIINFRA_FILINGS_SINCE: no filings is not a broken source
        in_use=lambda settings: [],
    ),
    Validation(
        "press_releases",
        "item_id",
        v.press_releases_schema,
        _type_press_releases,
        "Newsroom feed items read from the filing sources that pass validation, each as text.",
        needs="companies",
        lookup=_known_companies,
        raw_assets=("press_releases",),
        in_use=lambda settings: [],  # feeds that all fail are skipped and counted, not a broken run
    ),
]

PRICE_OBSERVATIONS = Validation(
    "price_observations",
    "instance_type",
    v.chip_prices_schema,
    _type_chip_prices,
    "Each day's price observations from the price sources that pass validation, typed; history kept by run_day.",
    needs="chip_specs",
    lookup=_known_chips,
    partitions_def=daily_partitions,
    chunk_by="observed_on",
)


def _may_be_empty(spec: Validation, settings: PipelineSettings) -> bool:
    """Whether the raw rows may be none: each source in use that writes them (the price sources, for the
    daily price observations; none when a CSV source is switched off) is listed in AIINFRA_ALLOW_EMPTY_SOURCES."""
    if spec.in_use is not None:
        in_use = spec.in_use(settings)
    elif spec.partitions_def is not None:
        in_use = settings.price_sources
    else:
        in_use = [s.name for s in SOURCES if s.name == spec.name and s.location(settings)]
    return all(source in settings.allow_empty_sources for source in in_use)


def _stage(conn: DuckDBPyConnection, staged: str, query: str, first: bool) -> None:
    """Append the rows of `query` to the table `staged`, created by the first chunk. A table in the warehouse, not a
    temporary one, so that 10M validated prices are written out as they come instead of held in memory (~2.5 GB)."""
    if first:
        conn.execute(f"create or replace table {staged} as {query}")
    else:
        conn.execute(f"insert into {staged} by name {query}")


def _replace_rows(conn: DuckDBPyConnection, table: str, staged: str, day: str | None) -> None:
    """Replace `table` with the table `staged` (which is gone afterwards); for a daily table, replace only the
    rows of `day`."""
    conn.execute("begin")
    if day is None:
        conn.execute(f"drop table if exists {table}")
        conn.execute(f"alter table {staged} rename to {table}")
    else:
        conn.execute(f"create table if not exists {table} as select *, null::date as run_day from {staged} limit 0")
        for column, column_type, *_ in conn.execute(f"describe {staged}").fetchall():  # kept history, newer columns
            conn.execute(f"alter table {table} add column if not exists {quoted_name(column)} {column_type}")
        conn.execute(f"delete from {table} where run_day = ?", [day])
        conn.execute(f"insert into {table} by name select *, ?::date as run_day from {staged}", [day])
        conn.execute(f"drop table {staged}")
    conn.execute("commit")


def chunks(conn: DuckDBPyConnection, rows: str, chunk_by: str | None, chunk_rows: int) -> Iterator[pl.DataFrame]:
    """The rows that the query `rows` selects, in frames ordered by source_line, each holding whole groups of
    `chunk_by`: a frame takes the groups that start within its `chunk_rows` rows (so it has fewer than chunk_rows
    plus the largest group); all in one frame when chunk_by is None. At least one frame."""
    if chunk_by is None:
        yield conn.sql(f"select * from ({rows}) order by source_line").pl()
        return
    conn.execute(f"""create or replace temp table chunk_keys as
        with groups as (select coalesce({chunk_by}, '') as chunk_key, count(*) as group_rows from ({rows}) group by 1)
        select chunk_key, (sum(group_rows) over (order by chunk_key) - group_rows) // {chunk_rows} as chunk
        from groups""")
    numbers = [n for (n,) in conn.execute("select distinct chunk from chunk_keys order by chunk").fetchall()]
    for chunk in numbers or [-1]:  # no rows: one empty frame, with the columns
        # a filter on the rows' own column, so that DuckDB reads only the chunk's rows
        yield conn.sql(
            f"""select * from ({rows}) where coalesce({chunk_by}, '') in
            (select chunk_key from chunk_keys where chunk = ?) order by source_line""",
            params=[chunk],
        ).pl()


QUARANTINE_TYPES = (
    "select "
    + ", ".join(f"{column}::{kind} as {column}" for column, kind in v.QUARANTINE_COLUMNS.items())
    + " from rejected"
)


def prefetched(items: Iterator[T]) -> Generator[T]:
    """`items` (none of them None), each next one produced in a thread while the caller works on the current one."""
    with ThreadPoolExecutor(max_workers=1) as worker:
        upcoming = worker.submit(next, items, None)
        while (item := upcoming.result()) is not None:
            upcoming = worker.submit(next, items, None)
            yield item


def _rows_of_this_run(conn: DuckDBPyConnection, spec: Validation, day: str | None) -> Iterator[tuple[str, str]]:
    """(raw table, the query of its rows this run validates): all of them, or one day's (copied into a temp
    table, which the caller reads before the next table replaces it)."""
    for table in _raw_tables(spec):
        if day is None:
            yield table, f"select * from {table}"
            continue
        create_raw_table(conn, table)  # a source that has never recorded a day has no rows
        conn.execute(
            f"create or replace temp table day_rows as select * exclude (run_day) from {table} where run_day = ?",
            [day],
        )
        yield table, "select * from day_rows"


def _frames(
    conn: DuckDBPyConnection, spec: Validation, day: str | None, settings: PipelineSettings
) -> Iterator[tuple[str, pl.DataFrame]]:
    """(raw table, a chunk of its rows) for every chunk this run validates."""
    for table, query in _rows_of_this_run(conn, spec, day):
        for raw in chunks(conn, query, spec.chunk_by, settings.validate_chunk_rows):
            yield table, raw


def _raw_tables(spec: Validation) -> tuple[str, ...]:
    return spec.raw_assets or (f"raw_{spec.name}",)


def _raw_label(spec: Validation) -> str:
    return ", ".join(_raw_tables(spec))


def _specs(spec: Validation) -> list[dg.AssetSpec]:
    """The clean table and its quarantine: written together, from one pass of the checks."""
    raw_label = _raw_label(spec)
    deps = [*_raw_tables(spec), *([f"clean_{spec.needs}"] if spec.needs else [])]
    kinds = {"pandera", "polars", "duckdb"}
    return [
        dg.AssetSpec(
            f"clean_{spec.name}",
            deps=deps,
            group_name="validate",
            kinds=kinds,
            description=spec.description + f" Rejected rows go to quarantined_{spec.name}.",
        ),
        dg.AssetSpec(
            f"quarantined_{spec.name}",
            deps=deps,
            group_name="validate",
            kinds=kinds,
            description=f"The rows of {raw_label} that failed validation"
            + (" (each run's day)" if spec.partitions_def is not None else "")
            + ": one row per failed check, with the check, the column, a reason and the whole record.",
        ),
    ]


def _check_spec(spec: Validation) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        "mostly_accepted",
        asset=f"clean_{spec.name}",
        blocking=True,
        description=f"Fails, and stops the run before publish, when more than half of {_raw_label(spec)} "
        "(for a daily table: of the run's day) was rejected, or when it has no rows and its "
        "sources are not listed in AIINFRA_ALLOW_EMPTY_SOURCES.",
    )


def validate(
    context: dg.AssetExecutionContext, conn: DuckDBPyConnection, spec: Validation, settings: PipelineSettings
) -> Iterator[dg.MaterializeResult]:
    """Split the raw rows of `spec` into clean_<name> (typed) and quarantined_<name>; their two results, the clean
    table's with its mostly_accepted check."""
    day = context.partition_key if spec.partitions_def is not None else None
    checked_on = date.fromisoformat(day) if day else _today()
    lookup = spec.lookup(conn)
    schema = spec.schema(lookup, checked_on)
    rows_in, rejected_rows = 0, 0
    failures: list[pl.DataFrame] = []  # the first 20 failures, for the metadata
    clean_table, quarantine = f"clean_{spec.name}", f"quarantined_{spec.name}"
    # The next chunk is read (on a connection of its own: DuckDB releases the GIL) while this one is checked.
    with conn.cursor() as reader, closing(prefetched(_frames(reader, spec, day, settings))) as frames:
        for i, (table, raw) in enumerate(frames):
            clean, rejected = v.split_rows(raw, schema, table, spec.row_key, checked_on)
            conn.register("typed", v.without_parsed(spec.to_typed(clean, lookup)).to_arrow())
            _stage(conn, STAGED + clean_table, "select * from typed", first=i == 0)
            conn.register("rejected", rejected.to_arrow())
            _stage(conn, STAGED + quarantine, QUARANTINE_TYPES, first=i == 0)
            rows_in, rejected_rows = rows_in + raw.height, rejected_rows + rejected["source_line"].n_unique()
            failures.append(
                rejected.select("row_ref", "column_name", "reason").head(20 - sum(f.height for f in failures))
            )
    for written in (clean_table, quarantine):
        _replace_rows(conn, written, STAGED + written, day)
    if rejected_rows:
        context.log.warning(f"{rejected_rows} of {rows_in} rows of {_raw_label(spec)} quarantined")
    yield dg.MaterializeResult(asset_key=quarantine, metadata=table_metadata(conn, quarantine))
    yield dg.MaterializeResult(
        asset_key=clean_table,
        check_results=[_mostly_accepted(spec, rows_in, rejected_rows, settings)],
        metadata={
            **table_metadata(conn, clean_table),
            "rows_in": dg.MetadataValue.int(rows_in),
            "rows_rejected": dg.MetadataValue.int(int(rejected_rows)),
            "failures": dg.MetadataValue.md(
                pl.concat(failures).to_pandas().to_markdown(index=False) if rejected_rows else "none"
            ),
        },
    )


def _mostly_accepted(spec: Validation, rows_in: int, rejected: int, settings: PipelineSettings) -> dg.AssetCheckResult:
    raw_label = _raw_label(spec)
    if rows_in:
        share = rejected / rows_in
        passed = share <= MAX_REJECTED_SHARE
        summary = (
            f"{rejected} of {rows_in} rows of {raw_label} rejected "
            f"({share:.0%}; the limit is {MAX_REJECTED_SHARE:.0%}); see quarantine."
        )
    else:  # none rejected of none is not "mostly accepted": it would publish empty tables
        share, passed = 0.0, _may_be_empty(spec, settings)
        summary = f"{raw_label} has no rows" + (
            "." if passed else "; if that is expected, list its source in AIINFRA_ALLOW_EMPTY_SOURCES."
        )
    return dg.AssetCheckResult(
        asset_key=f"clean_{spec.name}",
        check_name="mostly_accepted",
        passed=passed,
        severity=dg.AssetCheckSeverity.ERROR,
        description=summary,
        metadata={"rows_in": rows_in, "rows_rejected": rejected, "rejected_share": share},
    )


def build_validation(spec: Validation) -> dg.AssetsDefinition:
    """One source's validation, a step of its own: its clean table and quarantine written together from one pass
    of the checks, with its mostly_accepted check worked out from the counts of that pass. Either table can be
    selected alone (the price history job needs only clean_chip_specs); both are written, the selected reported."""

    @dg.multi_asset(
        name=f"clean_{spec.name}",
        specs=_specs(spec),
        check_specs=[_check_spec(spec)],
        partitions_def=spec.partitions_def,
        can_subset=True,
        pool=POOL,
    )
    def _validation(context: dg.AssetExecutionContext, duckdb: DuckDBResource, settings: PipelineSettings):
        with duckdb.get_connection() as conn:
            yield from (
                r for r in validate(context, conn, spec, settings) if r.asset_key in context.selected_asset_keys
            )

    return _validation


def build_validations(price_assets: list[str]) -> list[dg.AssetsDefinition]:
    """The validation assets, one step per source; `price_assets` are the daily price-source assets in use."""
    prices = dataclasses.replace(PRICE_OBSERVATIONS, raw_assets=tuple(price_assets))
    return [build_validation(spec) for spec in [*VALIDATIONS, prices]]
