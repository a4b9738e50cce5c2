#!/usr/bin/env python3
"""Opens many SSE reservation streams on a local Switchboard server and measures them.

Until the load generator's `sse` scenario exists (issue 5), this is how the number of open streams
is measured. It creates one REST reservation, opens N streams of it (spread over source addresses
127.0.0.x), checks that each gets the current state first, cancels the reservation and times how
long the change takes to reach every stream, closes them all and checks that the server forgets
them (switchboard_sse_streams back to 0). With --pid it also reports the server's RSS and its heap
after a full GC (jcmd) before and with the streams open.

  python3 loadtest/scripts/sse_streams.py --port 8080 --key SECRET [--streams 5000] [--pid PID]

Loopback only; bounded in count (--streams at most 18000) and time (--deadline-s).
"""
import argparse
import asyncio
import json
import subprocess
import time
import urllib.request


def http(port, method, path, key=None, body=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode())
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    if body is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


def metric(port, name):
    for line in http(port, "GET", "/metrics").splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise SystemExit(f"no {name} in /metrics")


def memory(pid):
    if pid is None:
        return None
    subprocess.run(["jcmd", str(pid), "GC.run"], check=True, capture_output=True)
    heap = subprocess.run(["jcmd", str(pid), "GC.heap_info"], check=True, capture_output=True, text=True).stdout
    used_kb = None
    for line in heap.splitlines():
        words = line.replace(",", " ").split()
        if "used" in words:
            used_kb = int(words[words.index("used") + 1].rstrip("K"))
            break
    with open(f"/proc/{pid}/status") as status:
        rss_kb = next(int(l.split()[1]) for l in status if l.startswith("VmRSS:"))
    return used_kb, rss_kb


async def stream(port, path, index, first, changed, t0):
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", port, local_addr=(f"127.0.0.{1 + index % 50}", 0))
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    events = 0
    while True:
        line = await reader.readline()
        if not line:
            break
        if line.startswith(b"data: "):
            events += 1
            if events == 1:
                first.set_result(None) if not first.done() else None
            elif b"GROUP_RESERVATION_STATUS_CANCELED" in line:
                changed.append(time.monotonic() - t0[0])
                break
    writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--key", required=True)
    parser.add_argument("--streams", type=int, default=5000)
    parser.add_argument("--pid", type=int)
    parser.add_argument("--deadline-s", type=float, default=120)
    args = parser.parse_args()
    if not 1 <= args.streams <= 18000:
        raise SystemExit("--streams: 1..18000")
    before = memory(args.pid)
    created = json.loads(http(args.port, "POST", "/v1/companies/default/groups/default/reservations", args.key,
                              {"external_user_id": f"sse-{time.time_ns()}"}))
    sid = created["group_reservation"]["reservation_sid"]
    path = f"/events/g/default/r/{sid}"
    t0 = [0.0]
    changed = []
    firsts = [asyncio.get_running_loop().create_future() for _ in range(args.streams)]
    start = time.monotonic()
    tasks = []
    for i in range(args.streams):
        tasks.append(asyncio.create_task(stream(args.port, path, i, firsts[i], changed, t0)))
        if i % 500 == 499:
            await asyncio.sleep(0)
    await asyncio.wait_for(asyncio.gather(*firsts), args.deadline_s)
    opened_s = time.monotonic() - start
    open_now = metric(args.port, "switchboard_sse_streams")
    with_streams = memory(args.pid)
    t0[0] = time.monotonic()
    http(args.port, "POST", f"/v1/companies/default/groups/default/reservations/{sid}/cancel", args.key)
    await asyncio.wait_for(asyncio.gather(*tasks), args.deadline_s)
    changed.sort()
    deadline = time.monotonic() + args.deadline_s
    while metric(args.port, "switchboard_sse_streams") != 0 and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    left = metric(args.port, "switchboard_sse_streams")
    report = {
        "streams": args.streams,
        "open_seconds": round(opened_s, 2),
        "streams_per_second": round(args.streams / opened_s),
        "server_gauge_open": open_now,
        "change_received": len(changed),
        "change_latency_ms": {
            "p50": round(1000 * changed[len(changed) // 2], 1),
            "p99": round(1000 * changed[int(len(changed) * 0.99) - 1], 1),
            "max": round(1000 * changed[-1], 1),
        },
        "server_gauge_after_close": left,
    }
    if before and with_streams:
        report["heap_after_gc_bytes_per_stream"] = round((with_streams[0] - before[0]) * 1024 / args.streams)
        report["rss_bytes_per_stream"] = round((with_streams[1] - before[1]) * 1024 / args.streams)
    print(json.dumps(report, indent=2))
    if len(changed) != args.streams or left != 0:
        raise SystemExit(1)


asyncio.run(main())
