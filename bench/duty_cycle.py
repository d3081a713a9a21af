"""Emulate a slower machine: let a process run only part of the time (SIGSTOP / SIGCONT).

A CPU server with ``--n_threads 1`` under a 45% duty cycle computes at about 45% of one core's
speed, from prompt evaluation to the last token, and its sockets stay open while it is stopped, so
to a client it looks like a machine that is slower throughout, not one that hangs:

    python bench/duty_cycle.py PID --duty 0.45 --period 1.0

It runs until the process exits or it is interrupted, and always leaves the process running.
``bench/slow_server.py --duty 0.45`` starts it for the server it launches.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import threading


def throttle(pid: int, duty: float, period: float, stop: threading.Event) -> None:
    """Run ``pid`` for ``duty`` of every ``period`` seconds until ``stop`` is set or it exits."""
    running, stopped = duty * period, (1 - duty) * period
    try:
        while not stop.is_set():
            if stop.wait(running):
                break
            os.kill(pid, signal.SIGSTOP)
            stop.wait(stopped)  # a stop request still ends here, then resumes the process
            os.kill(pid, signal.SIGCONT)
    except ProcessLookupError:
        return
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGCONT)  # never leave it stopped


def start(pid: int, duty: float, period: float = 1.0) -> threading.Event:
    """Throttle ``pid`` in a daemon thread; set the returned event to stop (the process resumes)."""
    stop = threading.Event()
    if duty < 1:
        threading.Thread(target=throttle, args=(pid, duty, period, stop), daemon=True).start()
    return stop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pid", type=int)
    parser.add_argument("--duty", type=float, default=0.45, help="share of each period it runs")
    parser.add_argument("--period", type=float, default=1.0, help="seconds")
    args = parser.parse_args()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    throttle(args.pid, args.duty, args.period, stop)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
