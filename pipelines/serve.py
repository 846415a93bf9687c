"""make serve: Dagster's webserver and daemon as long-running processes over the project's instance.

    python -m pipelines.serve [--host 127.0.0.1] [--port 3000]

Unlike `make ui` (`dagster dev`, a development server), these are the two processes of Dagster's own
deployment: the webserver (UI and GraphQL) and the daemon, which ticks the schedule and the sensors
and launches queued runs. Each runs in a process group of its own (in the caller's session), with the
code servers it starts; on SIGTERM or SIGINT both groups are asked to stop, then killed after STOP_WAIT_S.
When either process ends by itself the other is stopped too, and the exit status is non-zero, so a
service manager restarts the pair.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

WORKSPACE = Path(__file__).resolve().parent.parent / "workspace.yaml"
STOP_WAIT_S = 30.0  # how long each process group gets to stop after SIGTERM before it is killed


def commands(host: str, port: int, workspace: Path = WORKSPACE) -> dict[str, list[str]]:
    bin_dir = Path(sys.executable).parent  # the environment's own entry points, whatever PATH says
    return {
        "webserver": [str(bin_dir / "dagster-webserver"), "-h", host, "-p", str(port), "-w", str(workspace)],
        "daemon": [str(bin_dir / "dagster-daemon"), "run", "-w", str(workspace)],
    }


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


def stop(processes: dict[str, subprocess.Popen], wait_s: float = STOP_WAIT_S) -> None:
    """SIGTERM each process group, then SIGKILL what is left after `wait_s`."""
    for process in processes.values():
        _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + wait_s
    for name, process in processes.items():
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"serve: {name} did not stop within {wait_s:g} s; killing it", file=sys.stderr)
        _signal_group(process, signal.SIGKILL)  # its code servers too, which outlive it otherwise
        process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000)
    args = parser.parse_args(argv)
    if not os.environ.get("DAGSTER_HOME"):
        parser.error("DAGSTER_HOME is not set: run it through `make serve`, which points it at the instance")

    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    processes = {
        name: subprocess.Popen(command, process_group=0) for name, command in commands(args.host, args.port).items()
    }
    print(
        f"serve: webserver on http://{args.host}:{args.port} (pid {processes['webserver'].pid}), "
        f"daemon (pid {processes['daemon'].pid}), instance {os.environ['DAGSTER_HOME']}",
        flush=True,
    )
    ended: list[str] = []
    while not stopping and not ended:
        ended = [name for name, process in processes.items() if process.poll() is not None]
        time.sleep(0.5)
    for name in ended:
        print(f"serve: {name} exited with status {processes[name].returncode}; stopping", file=sys.stderr)
    stop(processes)
    return 1 if ended else 0


if __name__ == "__main__":
    sys.exit(main())
