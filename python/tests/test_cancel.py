"""Ctrl-C (a Jupyter kernel interrupt) stops the Rust work, not just the wait.

Each test starts a run that would take hours (a billion audit trials), sends
SIGINT to this process once the run reported progress (so the signal cannot
land before the call started), and checks three things that do not depend on
how loaded the machine is: the call raises KeyboardInterrupt; afterwards no
thread of the run is left in the process (the command thread
`reident-command` and its pool `reident-work-N`, read from
/proc/self/task/*/comm); and the process no longer burns CPU (CPU time over
one second of sleep is under half a second: a run left going would use
about one second per core). The only waits are upper bounds that a working
cancellation meets in well under a second (the thread check polls for up
to 30 s), so a slow machine cannot make them fail.
"""

import os
import signal
import sys
import threading
import time

import pytest

import reident
from reident import _reident

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/task")

ENDLESS_TRIALS = "1000000000"


def reident_threads():
    names = []
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/comm") as f:
                name = f.read().strip()
        except OSError:
            continue  # the thread ended while we looked
        if name.startswith("reident-"):
            names.append(name)
    return names


def wait_until_no_reident_threads(limit_s=30.0):
    deadline = time.monotonic() + limit_s
    while reident_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    return reident_threads()


def cpu_seconds():
    t = os.times()
    return t.user + t.system


@pytest.fixture(autouse=True)
def python_sigint_handler():
    """Python's own SIGINT handler (KeyboardInterrupt), as in a terminal or a
    Jupyter kernel: a shell that starts pytest in the background (`cmd &`
    without job control) makes it ignore SIGINT instead."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.fixture
def neighbours(tmp_path):
    d, d1 = tmp_path / "d.csv", tmp_path / "d1.csv"
    d.write_text("x\n" + "0\n1\n" * 5)
    d1.write_text("x\n" + "0\n1\n" * 5 + "1\n")
    return d, d1


def interrupt_when_started(started: threading.Event):
    """Sends SIGINT once `started` is set (after 300 s regardless, so that a
    run that never reports progress fails the test instead of hanging it)."""

    def send():
        started.wait(300)
        os.kill(os.getpid(), signal.SIGINT)

    t = threading.Thread(target=send, daemon=True)
    t.start()
    return t


def assert_stopped():
    assert wait_until_no_reident_threads() == []
    before = cpu_seconds()
    time.sleep(1.0)
    assert cpu_seconds() - before < 0.5


def test_ctrl_c_cancels_a_rust_run(neighbours):
    d, d1 = neighbours
    assert reident_threads() == []
    started = threading.Event()
    positions = []

    def progress(what, position, length, message):
        positions.append(position)
        if position > 0:
            started.set()

    sender = interrupt_when_started(started)
    args = ["epsilon", "audit", "--mechanism", "laplace", "--mechanism-epsilon", "1", "--without", str(d),
            "--with", str(d1), "--column", "x", "--trials", ENDLESS_TRIALS]
    with pytest.raises(KeyboardInterrupt):
        _reident.run_cli(args, progress)
    sender.join(5)
    assert started.is_set()
    assert positions and positions[-1] < int(ENDLESS_TRIALS)
    assert_stopped()
    # The package works normally after an interrupt.
    code, _ = reident.run_cli(args[:-1] + ["100"])
    assert code == 0


def test_ctrl_c_cancels_an_audit_of_a_python_mechanism(neighbours):
    d, d1 = neighbours
    started = threading.Event()
    calls = []

    def mechanism(frame):
        calls.append(1)
        if len(calls) == 5:
            started.set()
        return frame.head(1)

    sender = interrupt_when_started(started)
    with pytest.raises(KeyboardInterrupt):
        reident.epsilon_audit(mechanism, d, d1, column="x", trials=int(ENDLESS_TRIALS), progress=False)
    sender.join(5)
    assert started.is_set()
    assert_stopped()
    # No trial runs after the call returned.
    done = len(calls)
    time.sleep(0.5)
    assert len(calls) == done
