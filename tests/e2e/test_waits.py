"""The e2e tests' waits follow progress (tests/e2e/waits.py): a slow thing that keeps
progressing is waited for past the patience, a stuck one fails after it, and the failure
names what was awaited, what was last seen, and the log to read with its tail."""

import threading
import time

import pytest

from tests.e2e.waits import WaitFailed, sizes, wait_for


def test_a_wait_goes_on_while_the_log_grows_past_its_patience(tmp_path):
    log = tmp_path / "server.log"
    log.write_text("")

    def server() -> None:  # a server slow to start on a busy machine: it writes as it goes
        for step in range(12):
            time.sleep(0.1)
            with log.open("a") as out:
                out.write(f"loading {step}\n")
        (tmp_path / "ready").touch()

    threading.Thread(target=server, daemon=True).start()
    started = time.monotonic()
    ready = wait_for(
        "the server ready", (tmp_path / "ready").exists, logs=lambda: [log],
        activity=lambda: sizes(log), patience=0.5, interval=0.05,
    )  # fmt: skip
    assert ready and time.monotonic() - started > 1.0  # twice the patience: progress counted


def test_a_stuck_wait_fails_naming_what_it_waited_for_and_the_log_with_its_tail(tmp_path):
    log = tmp_path / "daemon.log"
    log.write_text("".join(f"line {n}\n" for n in range(100)) + "run 7 stuck in STARTING\n")
    with pytest.raises(WaitFailed) as failed:
        wait_for(
            "run 7 to finish", lambda: "STARTING", lambda status: status == "SUCCESS",
            logs=lambda: [log], activity=lambda: sizes(log), patience=0.3, interval=0.05,
        )  # fmt: skip
    message = str(failed.value)
    assert message.startswith("waited for run 7 to finish: nothing progressed for 0.3 s")
    assert "last seen: 'STARTING'" in message
    assert f"--- {log} (last 30 lines) ---" in message
    assert message.endswith("line 99\nrun 7 stuck in STARTING") and "line 70\n" not in message


def test_a_wait_on_a_process_that_ended_fails_at_once(tmp_path):
    started = time.monotonic()
    with pytest.raises(WaitFailed, match="the process serving it has ended"):
        wait_for("locations loaded", lambda: None, alive=lambda: False, patience=60)
    assert time.monotonic() - started < 5
