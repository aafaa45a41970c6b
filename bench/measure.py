"""Measuring one benchmark case: wall time and peak memory, each case in a fresh process.

Machines here are noisy, so every figure a benchmark reports is a ratio against a baseline
measured in the same run, and each case runs several times with the median kept.
"""

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO / "data" / "bench"
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss_bytes() -> int:
    return rss_of(os.getpid())


@contextmanager
def peak_memory(interval: float = 0.002):
    """Sample this process's resident memory while the block runs; yields a dict that holds
    ``peak_mb``, the peak above the memory in use when the block started."""
    result = {}
    baseline = _rss_bytes()
    peak = [baseline]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], _rss_bytes())
            time.sleep(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield result
    finally:
        stop.set()
        sampler.join()
        peak[0] = max(peak[0], _rss_bytes())
        result["peak_mb"] = (peak[0] - baseline) / 2**20


def timed(action: Callable[[], object]) -> dict:
    """Run ``action`` once; its wall time in seconds and peak extra memory in MiB."""
    with peak_memory() as memory:
        started = time.perf_counter()
        action()
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_mb": memory["peak_mb"]}


def run_case(script: Path, case: str, *args: str) -> dict:
    """Run ``script --case CASE`` in a fresh interpreter; it prints one JSON line."""
    output = subprocess.run(
        [sys.executable, str(script), "--case", case, *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def run_capped(command: list[str], cap_mb: float, timeout: float) -> dict:
    """Run ``command`` (it prints one JSON line last), killing it once its resident memory
    passes ``cap_mb`` or it runs ``timeout`` seconds, so a run that would exhaust the machine
    is reported rather than felt. Its figures, or ``{"failed": why}``; either way
    ``watched_peak_mb``, the peak resident memory sampled from outside."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    output = {}

    def read() -> None:
        output["out"], output["err"] = process.communicate()

    reader = threading.Thread(target=read)
    reader.start()
    started, peak, failed = time.perf_counter(), 0.0, None
    while process.poll() is None:
        peak = max(peak, rss_of(process.pid) / 2**20)
        elapsed = time.perf_counter() - started
        if peak > cap_mb or elapsed > timeout:
            failed = (
                f"exceeded {_size(cap_mb)} resident after {elapsed:.0f} s"
                if peak > cap_mb
                else f"still running after {timeout:.0f} s"
            )
            process.kill()
            break
        time.sleep(0.05)
    reader.join()
    if failed is None and process.returncode != 0:
        failed = f"exit {process.returncode}: {output['err'].strip().splitlines()[-1:]}"
    result = {"failed": failed} if failed else json.loads(output["out"].strip().splitlines()[-1])
    return {**result, "watched_peak_mb": peak}


def _size(mb: float) -> str:
    return f"{mb / 1024:g} GiB" if mb >= 1024 else f"{mb:g} MiB"


def rss_of(pid: int) -> int:
    """Process ``pid``'s resident memory in bytes; 0 once it has ended."""
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (FileNotFoundError, ProcessLookupError):  # it has just ended
        return 0


def interleaved_medians(script: Path, cases: list[str], repeat: int, *args: str) -> dict:
    """Run every case ``repeat`` times, interleaved so drift on the machine hits all of them;
    the median of each figure per case."""
    runs = {case: [] for case in cases}
    for _ in range(repeat):
        for case in cases:
            runs[case].append(run_case(script, case, *args))
    return {case: median_of(results) for case, results in runs.items()}


def median_of(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def make_landing(out: Path, scale: float) -> dict[str, int]:
    """Generate the landing zone at ``scale`` into ``out``; its rows per file."""
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "make_landing.py"), "--out", str(out),
         "--scale", str(scale)],
        check=True, capture_output=True,
    )  # fmt: skip
    return json.loads((out / "manifest.json").read_text())["rows"]


def write_results(name: str, results: dict) -> Path:
    """Save a benchmark's figures as JSON under data/bench/, to compare across commits."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    return path


def print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}")
    for row in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(str(cell).rjust(width) for cell, width in zip(row, widths, strict=True)))
