"""Daily partitions: a run records each price source's observations under the day it ran for."""

import dagster as dg

# end_offset=1: today's partition exists today, so the 06:00 UTC run records today's prices.
daily_partitions = dg.DailyPartitionsDefinition(start_date="2025-01-01", end_offset=1, timezone="UTC")
