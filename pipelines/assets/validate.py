"""Validate: pandera checks on each raw_* table -> clean_<source> (typed) and quarantined_<source>.

Rejected rows are kept, one line per failed check, with the whole record and a reason; the
`quarantine` model table gathers them. A blocking check stops the run before anything is published
when most rows of a source were rejected: that is a broken file, not a few bad rows.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

import dagster as dg
from duckdb import DuckDBPyConnection
import pandas as pd
import pandera.pandas as pa
from dagster_duckdb import DuckDBResource

from pipelines import validation as v
from pipelines.warehouse import table_metadata

MAX_REJECTED_SHARE = 0.5


def _today() -> date:
    return datetime.now(timezone.utc).date()


def _bool(s: pd.Series) -> pd.Series:
    return s.str.strip().str.lower() == "true"


def _type_companies(clean: pd.DataFrame, _lookup) -> pd.DataFrame:
    return clean.assign(is_big_three=_bool(clean.is_big_three))


def _type_deals(clean: pd.DataFrame, aliases: dict[str, str]) -> pd.DataFrame:
    announced_on, precision = v.parse_partial_date(clean.announced_on)
    numbers = {c: v.as_number(clean[c]) for c in ("amount_usd", "term_years", "compute_gw")}
    return clean.assign(
        announced_on=announced_on,
        date_precision=precision,
        from_company=v.normalise_name(clean.from_company).map(aliases),
        to_company=v.normalise_name(clean.to_company).map(aliases),
        amount_basis=clean.amount_basis.fillna("total"),
        is_firm=_bool(clean.is_firm),
        **numbers,
    )


def _type_chip_specs(clean: pd.DataFrame, _lookup) -> pd.DataFrame:
    numeric = ("bf16_dense_tflops", "fp8_dense_tflops", "hbm_gb", "mem_bw_tb_s", "tdp_w", "list_price_usd")
    return clean.assign(**{c: v.as_number(clean[c]) for c in numeric})


def _type_chip_prices(clean: pd.DataFrame, _lookup) -> pd.DataFrame:
    observed_on, precision = v.parse_partial_date(clean.observed_on)
    numeric = ("chips_per_instance", "usd_per_instance_hour", "usd_per_chip_hour")
    return clean.assign(observed_on=observed_on, date_precision=precision,
                        **{c: v.as_number(clean[c]) for c in numeric})


@dataclass(frozen=True)
class Validation:
    name: str  # validates raw_<name> into clean_<name> and quarantined_<name>
    row_key: str  # the column that names a row in quarantine's row_ref
    schema: Callable[[Any, date], pa.DataFrameSchema]  # (lookup, today) -> schema
    to_typed: Callable[[pd.DataFrame, Any], pd.DataFrame]  # (clean rows, lookup) -> typed table
    description: str
    needs: str | None = None  # a clean table the checks look values up in
    lookup: Callable[[DuckDBPyConnection], Any] = lambda conn: None


VALIDATIONS = [
    Validation("companies", "company_id", lambda _, today: v.companies_schema(), _type_companies,
               "Companies that pass validation, one row per company_id."),
    Validation(
        "deals", "flow_id", v.deals_schema, _type_deals,
        "Deal flows that pass validation, company names resolved to company_id, typed.",
        needs="companies",
        lookup=lambda conn: v.alias_map(conn.execute("select * from clean_companies").df()),
    ),
    Validation("chip_specs", "chip", lambda _, today: v.chip_specs_schema(), _type_chip_specs,
               "Chip specifications that pass validation, typed."),
    Validation(
        "chip_prices", "instance_type", v.chip_prices_schema, _type_chip_prices,
        "Hourly price observations that pass validation, typed.",
        needs="chip_specs",
        lookup=lambda conn: {chip for (chip,) in conn.execute("select chip from clean_chip_specs").fetchall()},
    ),
]


def build_validation_asset(spec: Validation) -> dg.AssetsDefinition:
    @dg.asset(
        name=f"clean_{spec.name}",
        deps=[f"raw_{spec.name}", *([f"clean_{spec.needs}"] if spec.needs else [])],
        group_name="validate",
        kinds={"pandera", "duckdb"},
        owners=["team:data"],
        description=spec.description + f" Rejected rows go to quarantined_{spec.name}.",
        pool="duckdb",
    )
    def _clean(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
        today = _today()
        with duckdb.get_connection() as conn:
            raw = conn.execute(f"select * from raw_{spec.name} order by source_line").df()
            lookup = spec.lookup(conn)
            clean, rejected = v.split_rows(raw, spec.schema(lookup, today), f"raw_{spec.name}", spec.row_key, today)
            typed = spec.to_typed(clean, lookup)
            conn.register("typed", typed)
            conn.execute(f"create or replace table clean_{spec.name} as select * from typed")
            conn.register("rejected", rejected)
            conn.execute(
                f"create or replace table quarantined_{spec.name} as "
                "select source_table::varchar as source_table, row_ref::varchar as row_ref, "
                "source_line::integer as source_line, column_name::varchar as column_name, "
                "check_name::varchar as check_name, failure_value::varchar as failure_value, "
                "reason::varchar as reason, record::json as record, detected_at::date as detected_at "
                "from rejected"
            )
            metadata = table_metadata(conn, f"clean_{spec.name}")
        rejected_rows = rejected["source_line"].nunique()
        if rejected_rows:
            context.log.warning(f"{rejected_rows} of {len(raw)} rows of raw_{spec.name} quarantined")
        return dg.MaterializeResult(metadata={
            **metadata,
            "rows_in": dg.MetadataValue.int(len(raw)),
            "rows_rejected": dg.MetadataValue.int(int(rejected_rows)),
            "failures": dg.MetadataValue.md(
                rejected[["row_ref", "column_name", "reason"]].head(20).to_markdown(index=False)
                if rejected_rows else "none"),
        })

    @dg.asset_check(
        asset=_clean,
        name="mostly_accepted",
        blocking=True,
        description=f"Fails, and stops the run before publish, when more than half of raw_{spec.name} was rejected.",
        pool="duckdb",
    )
    def _mostly_accepted(duckdb: DuckDBResource) -> dg.AssetCheckResult:
        with duckdb.get_connection() as conn:
            rows_in = conn.execute(f"select count(*) from raw_{spec.name}").fetchone()[0]
            rejected = conn.execute(f"select count(distinct source_line) from quarantined_{spec.name}").fetchone()[0]
        share = rejected / rows_in if rows_in else 1.0
        return dg.AssetCheckResult(
            passed=share <= MAX_REJECTED_SHARE,
            severity=dg.AssetCheckSeverity.ERROR,
            description=(f"{rejected} of {rows_in} rows of raw_{spec.name} rejected "
                         f"({share:.0%}; the limit is {MAX_REJECTED_SHARE:.0%}); see quarantine."),
            metadata={"rows_in": rows_in, "rows_rejected": rejected, "rejected_share": share},
        )

    return _clean, _mostly_accepted


validation_assets, validation_checks = zip(*(build_validation_asset(s) for s in VALIDATIONS))
validation_assets, validation_checks = list(validation_assets), list(validation_checks)

# Tables each validation asset writes besides its own: lets the SQL factory find its dependencies.
EXTRA_TABLES = {f"quarantined_{s.name}": f"clean_{s.name}" for s in VALIDATIONS}
