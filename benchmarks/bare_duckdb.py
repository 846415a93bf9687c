"""Baseline for BENCHMARKS.md: the same sql/ files on the same inputs with DuckDB alone.

No Dagster, no pandera: the CSVs are read and typed in SQL and the price and SEC recordings are read with
the pipeline's own parsers (no validation, so nothing is quarantined), the model and metric files run
in the order the pipeline runs them (pipelines/sql_files.py), and the results are written as the pipeline
publishes them (a v1.0.0 DuckDB file and one Parquet file per table).

    python benchmarks/bare_duckdb.py OUT_DIR
"""

import sys
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.filings import snapshot as sec_snapshot
from pipelines.filings.feeds import ITEM_COLUMNS
from pipelines.filings.sec import FACT_COLUMNS, FILING_COLUMNS
from pipelines.prices import snapshot  # the parsers only: no Dagster, no pandera
from pipelines.prices.accelerators import AcceleratorMap
from pipelines.prices.observations import COLUMNS
from pipelines.sql_files import MAX_CYCLES, create, dependencies, in_dependency_order, load_models, set_variables

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"

TYPED_INPUTS = f"""
create macro first_day(d) as case length(d) when 10 then d::date when 7 then (d || '-01')::date
                                         else (d || '-01-01')::date end;
create macro precision_of(d) as case length(d) when 10 then 'day' when 7 then 'month' else 'year' end;
create table raw_companies as select * from read_csv('{DATA}/companies.csv', all_varchar = true);
create table clean_companies as
    select company_id, name, kind, is_big_three = 'true' as is_big_three, aliases, cik from raw_companies;
create table aliases as
    select distinct lower(trim(spelling)) as spelling, company_id
    from (select company_id, unnest(list_concat([company_id, name], string_split(aliases, ';'))) as spelling
          from clean_companies);
create table raw_deals as select * from read_csv('{DATA}/deals.csv', all_varchar = true);
create table clean_deals as
    select d.* replace (
               first_day(announced_on) as announced_on,
               f.company_id as from_company, t.company_id as to_company,
               amount_usd::double as amount_usd, coalesce(amount_basis, 'total') as amount_basis,
               amount_low_usd::double as amount_low_usd, amount_high_usd::double as amount_high_usd,
               term_years::double as term_years, is_firm = 'true' as is_firm, compute_gw::double as compute_gw,
               string_split(corroborating_urls, ';') as corroborating_urls,
               first_day(last_verified_on) as last_verified_on),
           precision_of(announced_on) as date_precision
    from raw_deals d
    join aliases f on f.spelling = lower(trim(d.from_company))
    join aliases t on t.spelling = lower(trim(d.to_company));
create table clean_deal_events as
    select e.* replace (first_day(event_on) as event_on), precision_of(event_on) as date_precision
    from read_csv('{DATA}/deal_events.csv', all_varchar = true) e;
create table clean_chip_specs as select * from read_csv('{DATA}/chip_specs.csv', all_varchar = true);
create table clean_assumptions as select * from read_csv('{DATA}/assumptions.csv', all_varchar = true);
create table clean_chip_prices as
    select p.* replace (
               first_day(observed_on) as observed_on,
               chips_per_instance::double as chips_per_instance,
               usd_per_instance_hour::double as usd_per_instance_hour,
               usd_per_chip_hour::double as usd_per_chip_hour),
           'reference' as source,
           coalesce(observed_on_precision, precision_of(observed_on)) as observed_on_precision
    from read_csv('{DATA}/chip_prices.csv', all_varchar = true) p;
"""
EMPTY_QUARANTINE = """
create table quarantined_{name} (source_table varchar, row_ref varchar, source_line integer, column_name varchar,
    check_name varchar, failure_value varchar, reason varchar, record json, detected_at date);
"""


PRICE_OBSERVATIONS = """
create table clean_price_observations as
    select * replace (first_day(observed_on) as observed_on, chips_per_instance::double as chips_per_instance,
                      usd_per_instance_hour::double as usd_per_instance_hour,
                      usd_per_chip_hour::double as usd_per_chip_hour),
           current_date as run_day
    from observations;
"""
COMPANY_FACTS = """
create table clean_company_facts as
    select * replace (period_start::date as period_start, period_end::date as period_end,
                      value_usd::double as value_usd, filed_on::date as filed_on, tag_rank::integer as tag_rank,
                      fiscal_year::integer as fiscal_year)
    from facts;
"""


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "parquet").mkdir(exist_ok=True)
    for stale in (out / "work.duckdb", out / "published.duckdb"):
        stale.unlink(missing_ok=True)
    conn = duckdb.connect(str(out / "work.duckdb"))
    conn.execute(TYPED_INPUTS)
    rows = snapshot.read(DATA / "price_snapshots", AcceleratorMap.from_csv(DATA / "accelerators.csv")).rows
    conn.register("observations", pd.DataFrame(rows, columns=COLUMNS, dtype="str"))
    conn.execute(PRICE_OBSERVATIONS)
    companies = conn.execute("select company_id, cik from raw_companies where cik is not null").fetchall()
    facts, _ = sec_snapshot.read(DATA / "sec_snapshots", companies)
    conn.register("facts", pd.DataFrame(facts, columns=FACT_COLUMNS, dtype="str"))
    conn.execute(COMPANY_FACTS)
    # no filing document or feed item is recorded: empty tables, as the snapshot source gives them
    for table, columns in (("clean_filings", FILING_COLUMNS), ("clean_press_releases", ITEM_COLUMNS)):
        empty = ", ".join(f"null::varchar as {c}" for c in columns)
        conn.execute(f"create table {table} as select * from (select {empty}) where false")
    names = ("companies", "deals", "deal_events", "chip_specs", "assumptions", "chip_prices", "price_observations")
    for name in (*names, "company_facts", "filings", "press_releases"):
        conn.execute(EMPTY_QUARANTINE.format(name=name))
    conn.execute("alter table quarantined_price_observations add column run_day date")

    existing = {t for (t,) in conn.execute("select table_name from duckdb_tables()").fetchall()}
    models = load_models()
    models = in_dependency_order(models, dependencies(models, existing))  # as the pipeline orders them
    set_variables(conn, date.today().isoformat(), MAX_CYCLES)
    for model in models:
        create(conn, model)  # compared with no earlier snapshot, as on a first run
    macros = [m for m in models if m.is_macro]
    built = [m.name for m in models if not m.is_macro]

    conn.execute(f"attach '{out / 'published.duckdb'}' as snapshot (storage_version 'v1.0.0')")
    for name in built:
        conn.execute(f"create table snapshot.main.{name} as select * from main.{name}")
        conn.execute(f"copy main.{name} to '{out / 'parquet' / name}.parquet' (format parquet)")
    conn.execute("use snapshot")
    for macro in macros:
        conn.execute(macro.create_statement())
    conn.execute("use work")
    conn.execute("detach snapshot")
    conn.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
