"""Failure alerts: what failed in a run, posted as JSON to AIINFRA_ALERT_WEBHOOK (the run_failed_alert sensor).

    {"event": "run_failed", "job": "daily_job", "run_id": "...", "partition": "2026-11-30",
     "failed_steps": [{"step": "raw_sources", "error": "..."}], "message": "..."}

The POST is bounded: connect and read timeouts, a few retries with backoff on 429 and 5xx (a Retry-After is
not waited for, so a sensor tick never hangs on it), then AlertError naming the setting.
"""

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

TIMEOUT_S = 10.0
RETRIES = 3


class AlertError(RuntimeError):
    pass


def post(url: str, payload: dict, timeout_s: float = TIMEOUT_S, retries: int = RETRIES, backoff: float = 1.0) -> None:
    retry = Retry(
        total=retries,
        backoff_factor=backoff,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"POST"}),
        respect_retry_after_header=False,
        raise_on_status=False,
    )
    with requests.Session() as session:
        session.mount("http://", HTTPAdapter(max_retries=retry))
        session.mount("https://", HTTPAdapter(max_retries=retry))
        try:
            response = session.post(url, json=payload, timeout=(timeout_s, timeout_s))
        except requests.RequestException as err:
            raise AlertError(f"AIINFRA_ALERT_WEBHOOK {url}: the alert could not be posted ({err})") from err
    if response.status_code >= 400:
        raise AlertError(
            f"AIINFRA_ALERT_WEBHOOK {url}: answered HTTP {response.status_code} "
            f"(429 and 5xx are retried {retries} times)"
        )


def run_failure(job: str, run_id: str, partition: str | None, steps: list[tuple[str, str]], message: str) -> dict:
    """The alert's JSON for a failed run: its failing steps, each with its error."""
    return {
        "event": "run_failed",
        "job": job,
        "run_id": run_id,
        "partition": partition,
        "failed_steps": [{"step": step, "error": error} for step, error in steps],
        "message": message,
    }
