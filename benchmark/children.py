"""Child processes of the benchmark that never outlive it.

``protokoll bench`` starts ``protokoll index --rebuild`` (which forks a parsing pool and Whoosh
writer processes), a fresh process for the cold query, a second ``protokoll index`` for the
incremental step and ``protokoll serve`` (gunicorn and its workers). An earlier version left the
index child alive, blocked on a full pipe, for half an hour after the benchmark itself crashed.
So every child starts in a session of its own and, whatever happens to the benchmark (an
exception, Ctrl-C, SIGTERM), its whole process group is terminated in a ``finally``: first
SIGTERM, so the index writer can remove its temporary files, then SIGKILL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import Any

GRACE_S = 10.0


@contextmanager
def child_group(cmd: Sequence[str], **popen: Any) -> Iterator[subprocess.Popen[Any]]:
    """``Popen(cmd)`` in a new session; its process group is gone when the block is left."""
    proc: subprocess.Popen[Any] = subprocess.Popen(list(cmd), start_new_session=True, **popen)
    try:
        yield proc
    finally:
        stop_group(proc)


def run_child(cmd: Sequence[str], *, timeout: float) -> subprocess.CompletedProcess[str]:
    """Like ``subprocess.run(capture_output=True, text=True)``, but grandchildren die with it."""
    with child_group(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            stop_group(proc)
            out, err = proc.communicate()
    return subprocess.CompletedProcess(list(cmd), proc.returncode, out, err)


def stop_group(proc: subprocess.Popen[Any], grace: float = GRACE_S) -> None:
    """Terminate every process in ``proc``'s group (also grandchildren whose parent has died)."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        if not _signal_group(proc.pid, sig):
            break
        if _wait_group(proc, wait):
            break
    for stream in (proc.stdout, proc.stderr, proc.stdin):
        if stream is not None and not stream.closed:
            stream.close()
    if proc.poll() is None:
        proc.wait()


def _signal_group(pgid: int, sig: signal.Signals) -> bool:
    """Send ``sig`` to the group; False when nothing in it is left."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False
    return True


def _wait_group(proc: subprocess.Popen[Any], seconds: float) -> bool:
    """Reap our own child and poll until the group is empty (True) or time runs out (False)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        proc.poll()
        try:
            os.killpg(proc.pid, 0)
        except (ProcessLookupError, PermissionError):
            return True
        time.sleep(0.05)
    return False


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM ends the benchmark like Ctrl-C does, so its ``finally`` blocks stop the children.

    Python's default for SIGTERM is to die on the spot, without unwinding.
    """
    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
