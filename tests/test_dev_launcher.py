"""make dev's launcher (scripts/start_dev.py): Ctrl-C stops the command it runs, even when the
command swallowed the first interrupt (as dagster dev does when the SIGINT lands in a
garbage-collection callback while it starts)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

# a command that loses the first SIGINT, as Python does inside "Exception ignored", and ends
# on the next one
DEAF_ONCE = """
import signal, sys, time
heard = []
def on_interrupt(*_):
    heard.append(1)
    if len(heard) > 1:
        print("stopped on interrupt", len(heard), flush=True)
        sys.exit(3)
signal.signal(signal.SIGINT, on_interrupt)
print("started", flush=True)
while True:
    time.sleep(0.1)
"""

LAUNCH = """
import sys
sys.path.insert(0, "scripts")
import start_dev
start_dev.INTERRUPT_AGAIN_AFTER, start_dev.TERMINATE_AFTER = {again}, {terminate}
sys.exit(start_dev.run_until_stopped([sys.executable, "-c", {command!r}]))
"""


def launch(command: str, again: float, terminate: float) -> subprocess.Popen:
    """The launcher running ``command`` in its own session, as make dev's terminal group."""
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCH.format(again=again, terminate=terminate, command=command)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert process.stdout.readline() == "started\n"
    return process


def test_a_swallowed_ctrl_c_is_repeated_and_the_command_ends_with_its_own_code():
    process = launch(DEAF_ONCE, again=1, terminate=60)
    started = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: the whole group, the command loses it
    assert process.wait(timeout=30) == 3
    assert process.stdout.read() == "stopped on interrupt 2\n"
    assert time.monotonic() - started < 20  # repeated after 1 s, not at the SIGTERM


def test_a_command_deaf_to_ctrl_c_is_terminated_and_the_launcher_says_how_it_ended():
    process = launch(
        "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "print('started', flush=True)\ntime.sleep(600)",
        again=1,
        terminate=2,
    )
    os.killpg(process.pid, signal.SIGINT)
    assert process.wait(timeout=30) == 128 + signal.SIGTERM
