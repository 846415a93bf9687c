"""Daily partitions: a run records each price source's observations under the day it ran for (run_day)."""

from datetime import UTC, datetime

import dagster as dg

# end_offset=1: today's partition exists today, so the 06:00 UTC run records today's prices.
daily_partitions = dg.DailyPartitionsDefinition(start_date="2025-01-01", end_offset=1, timezone="UTC")


def run_day(context: dg.AssetExecutionContext) -> str:
    """The day a run is for: its partition (every asset of a partitioned run sees it), else today."""
    return context.run.tags.get("dagster/partition") or datetime.now(UTC).date().isoformat()
