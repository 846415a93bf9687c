"""One run per warehouse at a time, and no run left waiting behind a dead one.

A run holds an exclusive lock on `<warehouse>/.run.lock` (flock) from before its first step to its end.
The kernel drops the lock when the process dies, however it dies (SIGKILL, the OOM killer, a reboot),
so a held lock proves a live run and a free one proves there is none. Before its first step a run:
- takes the lock, or fails at once naming the run that holds it;
- marks failed the runs of this instance that are provably dead (runs of this warehouse, whose lock it
  now holds, and runs on this host whose process is gone) and frees their `duckdb` pool slots: marking
  a run failed does not by itself free its slots, and a slot held by a dead run blocks every later run;
- frees slots still held by runs that have ended;
- waits while a live run (on another warehouse of this instance) holds the pool, saying which run and
  since when, and gives up after AIINFRA_POOL_WAIT_S.

`make unstick` (`python -m pipelines.runs unstick`) does the same clean-up by hand, and the `dead_runs`
sensor does it every minute while the daemon runs (`make ui`).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from dagster._core.storage.dagster_run import DagsterRun, DagsterRunStatus, RunsFilter

POOL = "duckdb"
LOCK_FILE = ".run.lock"
TAG_WAREHOUSE, TAG_HOST, TAG_PROCESS = "aiinfra/warehouse", "aiinfra/host", "aiinfra/process"
IN_PROGRESS = [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING]
UNSTICK = "make unstick (python -m pipelines.runs unstick)"
Log = Callable[[str], None]


class WarehouseBusy(Exception):
    """Another live run holds this warehouse's run lock."""


def process_id(pid: int) -> str | None:
    """`pid:start time` of a live process (a recycled pid has another start time); None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after "pid (command)": state is field 3, starttime field 22
    return None if fields[0] in ("Z", "X") else f"{pid}:{fields[19]}"


class RunLock:
    """The exclusive run lock of one warehouse directory; the file says who holds it."""

    def __init__(self, warehouse_dir: Path):
        self.path = Path(warehouse_dir) / LOCK_FILE
        self._fd: int | None = None

    def acquire(self, holder: dict, wait_s: float = 0.0) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        give_up = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= give_up:
                    os.close(fd)
                    raise WarehouseBusy(self.describe_holder()) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(holder).encode())
        self._fd = fd

    def try_acquire(self) -> bool:
        """Take the lock if nobody holds it (for clean-up by hand)."""
        try:
            self.acquire({"unstick": os.getpid()})
        except WarehouseBusy:
            return False
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None

    def describe_holder(self) -> str:
        try:
            holder = json.loads(self.path.read_text() or "{}")
        except (OSError, ValueError):
            holder = {}
        return (
            f"run {holder.get('run_id', '?')} (pid {holder.get('pid', '?')} on {holder.get('host', '?')}, "
            f"since {holder.get('since', '?')})"
        )


def _why_dead(run: DagsterRun, warehouse: str, holding_lock: bool) -> str | None:
    tags = run.tags
    if holding_lock and tags.get(TAG_WAREHOUSE) == warehouse:
        return f"it ran on warehouse {warehouse}, whose run lock is free, so its process is gone"
    if tags.get(TAG_HOST) == socket.gethostname() and TAG_PROCESS in tags:
        pid = int(tags[TAG_PROCESS].split(":")[0])
        if process_id(pid) != tags[TAG_PROCESS]:
            return f"its process (pid {pid} on {tags[TAG_HOST]}) is gone"
    return None


def fail_dead_runs(
    instance: dg.DagsterInstance, warehouse: str, holding_lock: bool, log: Log, this_run_id: str | None = None
) -> list[str]:
    """Mark provably dead runs failed, and free every pool slot a dead or ended run still holds."""
    storage = instance.event_log_storage
    failed = []
    for record in instance.get_run_records(RunsFilter(statuses=IN_PROGRESS)):
        run = record.dagster_run
        reason = None if run.run_id == this_run_id else _why_dead(run, warehouse, holding_lock)
        if reason:
            instance.report_run_failed(run, f"Marked failed: {reason} (it was killed or crashed).")
            storage.free_concurrency_slots_for_run(run.run_id)
            log(
                f"Run {run.run_id} was left {run.status.value} but {reason}: marked it failed and freed its "
                f"'{POOL}' pool slots."
            )
            failed.append(run.run_id)
    for run_id in storage.get_concurrency_run_ids():
        holder = instance.get_run_by_id(run_id)
        if holder is None or holder.is_finished:
            storage.free_concurrency_slots_for_run(run_id)
            log(f"Freed the '{POOL}' pool slots still held by ended run {run_id}.")
    return failed


def _holders(instance: dg.DagsterInstance, this_run_id: str) -> list[str]:
    """Who holds the pool, other than this run: 'run X (step S, since T)'."""
    info = instance.event_log_storage.get_concurrency_info(POOL)
    assigned = {(p.run_id, p.step_key): p.assigned_timestamp for p in info.pending_steps}
    holders = []
    for slot in info.claimed_slots:
        if slot.run_id == this_run_id:
            continue
        record = instance.get_run_record_by_id(slot.run_id)
        started = record.start_time if record else None
        since = assigned.get((slot.run_id, slot.step_key)) or (
            started and datetime.fromtimestamp(started, UTC).isoformat(timespec="seconds")
        )
        holders.append(f"run {slot.run_id} (step {slot.step_key}, since {since or 'an unknown time'})")
    return holders


def wait_for_pool(
    instance: dg.DagsterInstance,
    warehouse: str,
    this_run_id: str,
    wait_s: float,
    log: Log,
    poll_s: float = 1.0,
    say_every_s: float = 30.0,
) -> None:
    """Return once no other run holds the pool; fail after `wait_s` seconds naming the holder."""
    started = time.monotonic()
    said = -say_every_s
    while holders := _holders(instance, this_run_id):
        waited = time.monotonic() - started
        if waited >= wait_s:
            raise dg.Failure(
                f"Gave up after {waited:.0f} s (AIINFRA_POOL_WAIT_S={wait_s:g}) waiting for the '{POOL}' pool, "
                f"held by {', '.join(holders)}. If that run is still working, let it finish or raise "
                f"AIINFRA_POOL_WAIT_S; if its process is gone, {UNSTICK} marks it failed and frees its slot."
            )
        if waited - said >= say_every_s:
            log(
                f"Waiting for the '{POOL}' pool, held by {', '.join(holders)}; "
                f"giving up after {wait_s:g} s (AIINFRA_POOL_WAIT_S)."
            )
            said = waited
        time.sleep(poll_s)
        fail_dead_runs(instance, warehouse, True, log, this_run_id)  # the holder may die while we wait


def start_run(
    instance: dg.DagsterInstance, run: DagsterRun, warehouse_dir: Path, pool_wait_s: float, log: Log
) -> RunLock:
    """Everything a run does before its first step (see the module docstring); returns the lock it holds."""
    warehouse = str(Path(warehouse_dir).resolve())
    lock = RunLock(Path(warehouse))
    host, pid = socket.gethostname(), os.getpid()
    try:
        # A short wait covers the clean-up (dead_runs sensor, make unstick), which holds it for a moment.
        lock.acquire(
            {"run_id": run.run_id, "pid": pid, "host": host, "since": datetime.now(UTC).isoformat(timespec="seconds")},
            wait_s=5,
        )
    except WarehouseBusy as busy:
        raise dg.Failure(
            f"Warehouse {warehouse} is in use by {busy}: one run per warehouse at a time. "
            "This run changed nothing; start it again when that run has finished."
        ) from None
    try:
        instance.add_run_tags(
            run.run_id, {TAG_WAREHOUSE: warehouse, TAG_HOST: host, TAG_PROCESS: process_id(pid) or str(pid)}
        )
        fail_dead_runs(instance, warehouse, True, log, run.run_id)
        wait_for_pool(instance, warehouse, run.run_id, pool_wait_s, log)
    except BaseException:
        lock.release()
        raise
    return lock


def clean_up(instance: dg.DagsterInstance, warehouse_dir: Path, log: Log) -> tuple[list[str], bool]:
    """Outside a run (make unstick, the dead_runs sensor): fail the dead runs and free their slots.
    Returns the runs failed, and whether the warehouse was free (else a live run holds it)."""
    lock = RunLock(Path(warehouse_dir))
    holding = lock.try_acquire()  # free: no live run on this warehouse, so its unfinished runs are dead
    try:
        failed = fail_dead_runs(instance, str(Path(warehouse_dir).resolve()), holding, log)
    finally:
        lock.release()
    if not holding:
        log(f"A live run holds {warehouse_dir}: {lock.describe_holder()}. Left it alone.")
    return failed, holding


def unstick(instance: dg.DagsterInstance, warehouse_dir: Path) -> int:
    """`make unstick`; 1 if a live run still holds the warehouse."""
    failed, holding = clean_up(instance, warehouse_dir, print)
    holders = _holders(instance, this_run_id="")
    print(
        f"Marked {len(failed)} dead run(s) failed. The '{POOL}' pool is "
        + (f"held by {', '.join(holders)}." if holders else "free.")
    )
    return 0 if holding else 1


def main(argv: list[str]) -> int:
    if argv != ["unstick"]:
        print("usage: python -m pipelines.runs unstick", file=sys.stderr)
        return 2
    from pipelines.resources import settings_from_env

    with dg.DagsterInstance.get() as instance:
        return unstick(instance, Path(settings_from_env().warehouse_dir))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
