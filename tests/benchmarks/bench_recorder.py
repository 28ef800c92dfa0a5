"""What the recorder process spends per item, stage by stage, on the scale scenario's
pods (4.9 KB watch lines with managedFields, env, probes), as a live source hands
them over: the listed pods and then the watch backlog, in the 64 KB reads a pipe
gives. run.py's record_overhead_pct is the end-to-end figure; this one says where the
recorder's CPU goes, steadily enough to compare two versions (median and spread of
the repeats; the process's startup, imports and all, is timed apart).

Run on demand (not collected by pytest):
    .venv/bin/python tests/benchmarks/bench_recorder.py [--pods 2000] [--events 5000] [--repeats 7]
"""

from __future__ import annotations

import argparse
import gc
import io
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402  (the scale server and its stream)

from podtui.lifecycle.changes import ADDED, PODS  # noqa: E402
from podtui.sources.recorder import decode_frames  # noqa: E402
from podtui.sources.recording import encode_r, gzip_writer  # noqa: E402

PIPE_READ = 1 << 16


def frames(pods: int, events: int) -> tuple[bytes, int]:
    import orjson

    with run.scale_server(pods, events) as server:
        listed, lines = run.fetch_stream(server, events)
    items = [(ADDED, line) for line in listed] + [(orjson.loads(line)["type"], line.rstrip(b"\n")) for line in lines]
    data = b"".join(encode_r(run.SIM_START + k * 0.001, PODS, kind, False, raw) for k, (kind, raw) in enumerate(items))
    return data, len(items)


def per_item_us(fn, n: int, repeats: int) -> list[float]:
    runs = []
    for _ in range(repeats):
        gc.collect()
        c = time.process_time()
        fn()
        runs.append((time.process_time() - c) / n * 1e6)
    return runs


def feed(data: bytes, redacted: bool) -> list[bytes]:
    """As the recorder's loop does: append a read, decode the whole frames, keep the rest."""
    buf, out = bytearray(), []
    for i in range(0, len(data), PIPE_READ):
        buf += data[i:i + PIPE_READ]
        lines, used = decode_frames(buf, redacted)
        del buf[:used]
        out.append(b"".join(lines) if isinstance(lines, list) else lines)  # a list before 042acd7
    return out


def compress(chunks: list[bytes]) -> int:
    raw = io.BytesIO()
    with gzip_writer(raw) as f:
        for chunk in chunks:
            f.write(chunk)
    return len(raw.getvalue())


def startup_ms(repeats: int) -> list[float]:
    """CPU of a recorder process that records nothing: the interpreter and its imports."""
    runs = []
    for _ in range(repeats):
        proc = subprocess.run(
            [sys.executable, "-c", "import os, resource; fd = os.open(os.devnull, os.O_WRONLY);"
             "from podtui.sources import recorder; recorder.main([str(fd), '1.0', 'gz', 'redact']);"
             "r = resource.getrusage(resource.RUSAGE_SELF); print(r.ru_utime + r.ru_stime)"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, check=True, text=True)
        runs.append(float(proc.stdout.split()[-1]) * 1000)
    return runs


def show(name: str, runs: list[float], unit: str = "us/item") -> None:
    print(f"  {name:<34} median {statistics.median(runs):6.1f}  min {min(runs):6.1f}  max {max(runs):6.1f} {unit}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=2000)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    data, n = frames(args.pods, args.events)
    print(f"{n:,} items ({args.pods:,} listed pods, {args.events:,} watch events), {len(data) / n:,.0f} B/item "
          f"on the pipe; {args.repeats} repeats")
    show("decode, redact, encode", per_item_us(lambda: feed(data, True), n, args.repeats))
    show("decode, encode (--no-redact)", per_item_us(lambda: feed(data, False), n, args.repeats))
    chunks = feed(data, True)
    size = sum(map(len, chunks))
    show("gzip", per_item_us(lambda: compress(chunks), n, args.repeats))
    print(f"  on disk: {size / n:,.0f} B/item plain, {compress(chunks) / n:,.0f} B/item gzip")
    show("process startup (once per recording)", startup_ms(args.repeats), "ms CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
