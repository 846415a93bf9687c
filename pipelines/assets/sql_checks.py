"""Checks on the metrics that can catch a wrong query, not just an empty one.

Each sql/checks/<asset>__<check>.sql selects the rows of <asset> that break a rule (its header
comment says which); the check passes when it selects none. Every metric that cites flows also gets
`cites_only_counted_flows`: no row may cite a flow its scenario leaves out (see scenario_flows), or, for a
metric whose rows stand as of their own `period_end`, a flow the scenario left out that day. The
checks run in the SQL layer's step right after their table (pipelines/assets/sql_models.py) and block:
a failing one fails that step, so nothing is published.
"""

from dataclasses import dataclass

import dagster as dg
import duckdb

from pipelines.sql_files import SQL_DIR, SqlModel

# One unnest of the cited ids, each with its row's position and day ({day}: the row's period_end, or none), then
# an anti-join: linear in the ids cited (copying each row per id it cites would be quadratic in their number).
CITED = """
with cited as (
    select row_number() over () as row_position, scenario, {day} as period_end, {flows} as flow_ids from {table} as rows
),
cited_flows as (
    select row_position, scenario, period_end, unnest(flow_ids) as flow_id from cited
)"""
CITED_FLOWS = (
    CITED
    + """
select row_position, scenario, flow_id as flow_not_counted
from cited_flows
anti join scenario_flows using (scenario, flow_id)
"""
)
# For rows that stand as of their own day: is each cited flow counted on its row's day? The lateral asks
# scenario_flows_as_of about that one flow (the filter on flow_id), so DuckDB joins each cited (day, flow) to that
# flow's status on the day: linear in the ids cited, where building every day's whole set of counted flows grew
# with days times flows (5.5 s of backlog_coverage's check at 1M flows; 1.5 s now).
CITED_FLOWS_AS_OF = (
    CITED
    + """,
asked as (
    select distinct period_end, flow_id from cited_flows
),
counted as (
    select asked.period_end, flows.scenario, flows.flow_id
    from asked,
        lateral (
            select scenario, flow_id from scenario_flows_as_of(asked.period_end) as day_flows
            where day_flows.flow_id = asked.flow_id
        ) as flows
)
select row_position, scenario, period_end, flow_id as flow_not_counted
from cited_flows
anti join counted using (period_end, scenario, flow_id)
"""
)


@dataclass(frozen=True)
class SqlCheck:
    asset: str
    name: str
    description: str
    query: str  # selects the offending rows of `asset`

    @property
    def spec(self) -> dg.AssetCheckSpec:
        return dg.AssetCheckSpec(self.name, asset=self.asset, description=self.description, blocking=True)

    def evaluate(self, conn: duckdb.DuckDBPyConnection) -> dg.AssetCheckResult:
        # one pass: the count over every offending row, five of them shown
        sample = conn.execute(f"select count(*) over () as offending_rows, * from ({self.query}) limit 5").df()
        offending = int(sample.pop("offending_rows").iloc[0]) if len(sample) else 0
        return dg.AssetCheckResult(
            asset_key=self.asset,
            check_name=self.name,
            passed=offending == 0,
            severity=dg.AssetCheckSeverity.ERROR,
            description=f"{offending} row(s) of {self.asset} break the rule" if offending else "no row breaks the rule",
            metadata={
                "offending_rows": offending,
                "sample": dg.MetadataValue.md(
                    sample.astype("string").to_markdown(index=False) if offending else "none"
                ),
            },
        )


def load_checks(models: list[SqlModel]) -> list[SqlCheck]:
    checks = []
    for path in sorted((SQL_DIR / "checks").glob("*.sql")):
        rule = SqlModel.from_file(path)
        asset, name = path.stem.split("__", 1)
        checks.append(SqlCheck(asset, name, rule.description, rule.query))
    for metric, query in cited_flows_rules(models).items():
        checks.append(
            SqlCheck(
                metric,
                "cites_only_counted_flows",
                "No row cites a flow its scenario leaves out (the rules are in scenario_flows; for rows as of "
                "their own period_end, scenario_flows_as_of that day).",
                query,
            )
        )
    return checks


def cited_flows_rules(models: list[SqlModel]) -> dict[str, str]:
    """metric -> the query selecting the flows its rows cite that their scenario leaves out. The documented
    columns say whether and how a metric cites flows (flow_ids, or one flow_id per row)."""
    rules = {}
    for model in models:
        cited = (
            "rows.flow_ids" if "flow_ids" in model.columns else "[rows.flow_id]" if "flow_id" in model.columns else None
        )
        if model.group == "metrics" and cited and "scenario" in model.columns:
            as_of = "period_end" in model.columns
            rule = CITED_FLOWS_AS_OF if as_of else CITED_FLOWS
            rules[model.name] = rule.format(table=model.name, flows=cited, day="rows.period_end" if as_of else "null")
    return rules
