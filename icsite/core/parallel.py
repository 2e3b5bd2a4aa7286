"""One way to run work in parallel processes, safe wherever the build is called from.

Worker processes are started by a fork server: a clean process forked once, before any thread exists. Forking
the build's own process directly can deadlock when it already runs threads (a test's web server, a browser
driver), because a child inherits locks that those threads held.

Like any multiprocessing start method but fork, workers import the caller's main module again: a script that
calls the build must keep its own work under `if __name__ == "__main__":`.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor


def processors() -> int:
    """How many processors this build may use."""
    return os.cpu_count() or 1


def pool(workers: int, initializer=None, initargs: tuple = ()) -> ProcessPoolExecutor:
    """A process pool whose workers come from the fork server (each running `initializer(*initargs)` first)."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"),
                               initializer=initializer, initargs=initargs)
