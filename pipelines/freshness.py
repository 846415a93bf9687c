"""How fresh the published tables should be: the daily run, plus slack for a slow or retried one."""

from datetime import timedelta

import dagster as dg

published_freshness = dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=26), warn_window=timedelta(hours=25))
