"""The SQL layer as Dagster assets: one asset per sql/<group>/<name>.sql, all in one subsettable step.

The files, their documentation and what each reads come from pipelines/sql_files.py: an asset's
description is its file's header, its column schema the `columns:` block, its dependencies the tables
and table macros its query reads, so the lineage in the UI follows the SQL. Macros are created in the
warehouse (and in the published snapshot by publish).
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines import published
from pipelines.assets.sql_checks import SqlCheck
from pipelines.partitions import run_day
from pipelines.resources import PipelineSettings
from pipelines.runs import POOL
from pipelines.sql_files import SQL_DIR, SqlModel, create, dependencies, in_dependency_order, set_variables
from pipelines.warehouse import table_metadata


def build_sql_spec(model: SqlModel, reads: set[str], table_owners: dict[str, str]) -> dg.AssetSpec:
    deps = sorted({table_owners[t] for t in reads} - {model.name})
    return dg.AssetSpec(
        model.name,
        deps=deps,
        group_name="model" if model.is_macro else model.group,  # a macro is part of the model
        kinds={"duckdb", "sql"},
        description=model.description,
        metadata={
            "sql_file": dg.MetadataValue.path(str(model.path.relative_to(SQL_DIR.parent))),
            **(
                {}
                if model.is_macro
                else {
                    "dagster/column_schema": dg.TableSchema(
                        columns=[
                            dg.TableColumn(name, "", description=meaning) for name, meaning in model.columns.items()
                        ]
                    ),
                    **_lineage_metadata(model),
                }
            ),
        },
    )


def _lineage_metadata(model: SqlModel) -> dict:
    lineage = model.column_lineage()
    if not lineage:
        return {}
    return {
        "dagster/column_lineage": dg.TableColumnLineage(
            deps_by_column={
                column: [dg.TableColumnDep(asset_key=dg.AssetKey(table), column_name=c) for c in inputs]
                for column, (table, inputs) in lineage.items()
            }
        )
    }


def build_sql_layer(
    upstream_tables: dict[str, str], models: list[SqlModel], checks: list[SqlCheck]
) -> dg.AssetsDefinition:
    """The SQL layer: one asset per model, each with its lineage, checks and metadata in the UI, computed in one
    step (a step per table cost Dagster ~0.1 s of bookkeeping each, far more than the SQL). The step can be
    subset: it creates the selected tables in dependency order, each followed by its selected checks
    (sql_checks.SqlCheck). `upstream_tables` maps tables written by other assets to those assets. A failing
    check (all block) fails the step once every selected table and check has run, so nothing is published."""
    owners = {**upstream_tables, **{m.name: m.name for m in models}}
    reads = dependencies(models, set(upstream_tables))  # refuses a table nothing writes
    ordered = in_dependency_order(models, reads)
    checks_of = {m.name: [c for c in checks if c.asset == m.name] for m in models}

    @dg.multi_asset(
        name="sql_layer",
        specs=[build_sql_spec(m, reads[m.name], owners) for m in models],
        check_specs=[c.spec for c in checks],
        can_subset=True,
        pool=POOL,
    )
    def _sql_layer(context: dg.AssetExecutionContext, duckdb: DuckDBResource, settings: PipelineSettings):
        replaced = published.current_version(settings.published_dir)  # what `changes` compares with
        snapshot = settings.published_db.resolve() if replaced else None  # that version's file, not the link
        with duckdb.get_connection() as conn:
            set_variables(conn, run_day(context), settings.max_cycles)
            for model in ordered:
                if dg.AssetKey(model.name) in context.selected_asset_keys:
                    create(conn, model, snapshot, replaced["version"] if replaced else None)
                    yield dg.MaterializeResult(
                        asset_key=model.name,
                        metadata=(
                            {"definition": dg.MetadataValue.md(f"```sql\n{model.query}\n```")}
                            if model.is_macro
                            else table_metadata(conn, model.name, model.columns)
                        ),
                    )
                for check in checks_of[model.name]:
                    if dg.AssetCheckKey(dg.AssetKey(check.asset), check.name) in context.selected_asset_check_keys:
                        yield check.evaluate(conn)

    return _sql_layer
