"""Load a URL with wrk (Debian's package `wrk`), a load generator written in C: a Python one on
the same two cores caps the bare endpoint and flatters every ratio. Also the CPU time a server
process spent meanwhile, which the noise of a shared machine moves far less than its rate."""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PERCENTILES_SCRIPT = Path(__file__).with_name("percentiles.lua")
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def wrk_binary() -> str:
    """wrk's path; installs Debian's package when running as root, as `make test` does for
    Chromium, and otherwise says what to install."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "update", "-qq"], check=True, capture_output=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"],
            check=True,
            capture_output=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("The benchmarks load pages with wrk: run 'sudo apt-get install wrk'")
    return found


def milliseconds(figure: str) -> float:
    """A wrk duration ("812.00us", "12.34ms", "1.02s") in milliseconds."""
    found = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", figure.strip())
    if not found:
        raise ValueError(f"not a wrk duration: {figure!r}")
    return round(float(found.group(1)) * UNITS_MS[found.group(2)], 3)


def parse(output: str) -> dict[str, Any]:
    """Requests/s, latency percentiles and errors from `wrk --latency`'s report. Answers that
    are not 2xx or 3xx, socket errors and time-outs all count as errors."""
    rate = re.search(r"Requests/sec:\s+([0-9.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    if not rate or not total:
        raise ValueError("not a wrk report:\n" + output)
    percentiles = {
        int(p): milliseconds(value)
        for p, value in re.findall(
            r"^\s*(50|75|90|99)(?:\.0+)?%\s+([0-9.]+[a-z]+)\s*$", output, re.M
        )
    }
    p95 = re.search(r"^Percentile95: (\d+)$", output, re.M)
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if sockets:
        errors += sum(int(n) for n in sockets.groups())
    return {
        "requests": int(total.group(1)),
        "errors": errors,
        "requests_per_second": round(float(rate.group(1)), 1),
        "p50_ms": percentiles.get(50),
        "p90_ms": percentiles.get(90),
        "p95_ms": round(int(p95.group(1)) / 1000, 3) if p95 else None,
        "p99_ms": percentiles.get(99),
    }


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time a process and its descendants (a server's workers) have used
    so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    spent: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command's ")": state, ppid, ... utime and stime are fields 14 and 15.
        parents[int(entry)] = int(fields[1])
        spent[int(entry)] = int(fields[11]) + int(fields[12])
    tree = {pid}
    grew = True
    while grew:
        found = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= found
        grew = bool(found)
    return sum(spent.get(member, 0) for member in tree) / ticks


def run(
    url: str,
    headers: dict[str, str] | None = None,
    connections: int = 32,
    seconds: float = 2.0,
    server_pid: int | None = None,
) -> dict[str, Any]:
    """One wrk run of one thread at `connections` keep-alive connections; with `server_pid`,
    also the server's CPU microseconds per request over the run."""
    command = [wrk_binary(), "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    command += ["-s", str(PERCENTILES_SCRIPT)]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    before = process_cpu_seconds(server_pid) if server_pid else 0.0
    machine_before, wrk_before = machine_busy_seconds(), children_cpu_seconds()
    started = time.perf_counter()
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - started
    figures = parse(output)
    if figures["p99_ms"] is None:
        print("wrk gave no 99th percentile:\n" + output, file=sys.stderr)
    if server_pid and figures["requests"]:
        spent = process_cpu_seconds(server_pid) - before
        figures["cpu_us_per_request"] = round(spent / figures["requests"] * 1_000_000, 1)
        # How the machine's cores were shared meanwhile: the server, wrk, and the rest (the
        # database server, anything else running).
        machine = (machine_busy_seconds() - machine_before) / wall
        figures["cores"] = {
            "server": round(spent / wall, 2),
            "wrk": round((children_cpu_seconds() - wrk_before) / wall, 2),
            "machine": round(machine, 2),
        }
    return figures


def machine_busy_seconds() -> float:
    """CPU seconds all cores have spent busy since boot (/proc/stat: all but idle and iowait)."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    """User + system CPU time of this process's finished children (each wrk run)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
