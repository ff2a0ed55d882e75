"""Time checks of one slate in a running ``rulecheck serve``: what a staffer waits for after dropping a file.

    python benchmarks/serve.py                          # 50 uploads of samples/every-rule-broken.xlsx
    python benchmarks/serve.py --runs 200 --slate my.xlsx

Starts ``rulecheck serve --no-browser --port 0`` as its own process, as a staffer would, reads the address
it prints, uploads the slate ``--warm`` times untimed, then ``--runs`` times timed, one after the other, and
prints the median, the 95th percentile and the fastest answer (upload sent → the page's whole JSON
received), with the server's CPU time per check (from /proc, where there is one) and the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, "-m", "rulecheck", "serve", "--no-browser", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    line, deadline = "", time.monotonic() + 120
    while "token=" not in line and time.monotonic() < deadline and process.poll() is None:
        line = process.stdout.readline()  # type: ignore[union-attr]
    match = re.search(r"http://\S+/\?token=[\w-]+", line)
    if not match:
        process.kill()
        raise SystemExit(f"rulecheck serve did not start: {line!r}")
    return process, match.group(0)


def upload_request(url: str, slate: Path) -> urllib.request.Request:
    boundary = "rulecheck-benchmark-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{slate.name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + slate.read_bytes() + \
        f"\r\n--{boundary}--\r\n".encode()
    return urllib.request.Request(url.replace("/?", "/api/check?"), data=body, method="POST",
                                  headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU of a process and its reaped children (the forked readers), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slate", type=Path, default=ROOT / "samples" / "every-rule-broken.xlsx")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warm", type=int, default=3)
    args = parser.parse_args()
    process, url = start()
    try:
        for _ in range(args.warm):
            with urllib.request.urlopen(upload_request(url, args.slate), timeout=120) as answer:
                answer.read()
        times = []
        cpu_before = cpu_seconds(process.pid)
        for _ in range(args.runs):
            request = upload_request(url, args.slate)
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=120) as answer:
                data = json.loads(answer.read())
            times.append((time.perf_counter() - started) * 1000)
        cpu_after = cpu_seconds(process.pid)
    finally:
        process.terminate()
        process.communicate(timeout=30)
    cpu = (cpu_after - cpu_before) * 1000 / args.runs if cpu_before is not None and cpu_after is not None else None
    result = {
        "slate": str(args.slate.relative_to(ROOT) if args.slate.is_relative_to(ROOT) else args.slate),
        "rows": data["summary"]["rows"], "findings": len(data["findings"]), "runs": args.runs,
        "median_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 0.95), 1),
        "fastest_ms": round(min(times), 1), "server_cpu_ms_per_check": round(cpu, 1) if cpu is not None else None,
        "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None, "cpus": os.cpu_count(),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
