#!/usr/bin/env python3
"""Webhook benchmark (events and webhooks): a release server on SQLite and a receiver on
loopback (asyncio, in its own process, answering 200 at once).

  1. PUT …/translations (one value per request, wrk) without any subscription, then with an
     organization webhook subscribed to translations.updated — the write that raises an event
     must not get more than 10 % slower. Medians of three rounds each.
  2. Sustained delivery rate (target ≥ 500 deliveries/s): ten webhooks subscribed to every
     event, a burst of writes makes a backlog, and the receiver's arrivals give the drain rate.
  3. release.published latency with an empty queue (target p95 ≤ 1 s): from the publish
     request's start to the delivery's arrival, over --publishes publishes.

The receiver is part of the rig, not of the server, and shares the machine's cores with it.
For part 1 it is nginx answering 204 (`--receiver nginx`, the default: a few microseconds of
CPU per delivery) or the asyncio receiver (`--receiver python`, which costs the server a
noticeable share of a core at a thousand deliveries a second). Parts 2 and 3 count arrivals,
so they always use the asyncio receiver. `--writes-only` runs part 1 alone.

Compare two builds in one session with BENCH_BINARY=/path/to/better-i18n (see common.py).

Needs wrk and nginx (apt-get install wrk nginx) and python3 with requests.
Run: python3 bench/webhook_bench.py [--duration 10] [--no-build] [--receiver nginx|python] [--writes-only]
"""
import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import sys
import time

import requests

from common import BENCH, BenchServer, build_release, cpu_seconds, median_run, print_table, start_nginx, stop_nginx, wrk


def receive(port, counter, arrivals, ready):
    """A minimal HTTP/1.1 server with keep-alive: counts every POST and reports
    release.published arrivals as (event id, time)."""

    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                event = b""
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    name = name.strip().lower()
                    if name == b"content-length":
                        length = int(value)
                    elif name == b"x-better-i18n-event":
                        event = value.strip()
                body = await reader.readexactly(length)
                with counter.get_lock():
                    counter.value += 1
                if event == b"release.published":
                    arrivals.put((json.loads(body)["id"], time.time()))
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
        ready.set()
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def nginx_receiver():
    """nginx (one worker) answering every POST with 204 at once: a receiver whose own CPU
    hardly shows beside the server's. Returns (port, work directory)."""
    return start_nginx(1, "", "        location / { return 204; }\n        location = /_status { stub_status; }")


def nginx_requests(port):
    """Requests nginx has answered (stub_status), less this query itself."""
    import urllib.request
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_status", timeout=5) as answer:
        lines = answer.read().decode().splitlines()
    return int(lines[2].split()[2]) - 1


def wait_quiet(counter, seconds=1.0, timeout=120):
    """Until no delivery has arrived for `seconds`: the queue is empty."""
    deadline = time.time() + timeout
    last, since = counter.value, time.time()
    while time.time() < deadline:
        time.sleep(0.1)
        if counter.value != last:
            last, since = counter.value, time.time()
        elif time.time() - since >= seconds:
            return
    sys.exit("deliveries never settled")


class WritesOnly(Exception):
    """Ends the run after part 1."""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk round")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--burst", type=int, default=600, help="writes in the backlog burst (× 10 webhooks)")
    parser.add_argument("--publishes", type=int, default=30)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--receiver", choices=["nginx", "python"], default="nginx",
                        help="the subscriber's receiver in part 1 (parts 2 and 3 always count with the asyncio one)")
    parser.add_argument("--writes-only", action="store_true", help="part 1 alone")
    args = parser.parse_args()
    if not args.no_build:
        build_release()

    from common import free_port
    port = free_port()
    counter = multiprocessing.Value("l", 0)
    arrivals = multiprocessing.Queue()
    ready = multiprocessing.Event()
    receiver = multiprocessing.Process(target=receive, args=(port, counter, arrivals, ready), daemon=True)
    receiver.start()
    ready.wait(10)
    hook = f"http://127.0.0.1:{port}"
    nginx_work = None
    write_hook = hook
    if args.receiver == "nginx":
        nginx_port, nginx_work = nginx_receiver()
        write_hook = f"http://127.0.0.1:{nginx_port}"

    def delivered():
        """Deliveries the part-1 receiver has answered so far (status queries excluded)."""
        if args.receiver == "python":
            return counter.value
        return nginx_requests(nginx_port) - status_queries[0]

    status_queries = [0]

    def settle(round_result):
        """Until every write of the subscriber's round is delivered: each round starts with an
        empty queue (a backlog draining during the next round would take that round's CPU).
        Notes in `round_result` how many deliveries arrived during the round and how long the
        rest took to arrive once the writes stopped."""
        writes_so_far[0] += round_result["total"]
        round_result["during"] = delivered() - round_result.pop("before")
        started = time.time()
        while True:
            count = delivered()
            if args.receiver == "nginx":
                status_queries[0] += 1
            if count >= writes_so_far[0]:
                break
            if time.time() - started > 300:
                sys.exit(f"deliveries never caught up: {count} of {writes_so_far[0]}")
            time.sleep(0.05)
        round_result["drain"] = time.time() - started

    writes_so_far = [0]

    def prepared(suffix):
        """A server with one key and an installation token that may write and publish it."""
        server = BenchServer(extra_args=["--webhook-allow-http", "--webhook-allow-private"], suffix=suffix)
        tokens = server.tokens("org:read projects:read keys:read keys:write translations:read translations:write translations:publish")
        server.token = requests.post(f"{server.base}/api/oauth-client/installations/{tokens['grant_id']}/tokens",
                                     headers={"Authorization": "Bearer " + tokens["access_token"]}).json()["installation_token"]
        server.path = f"/api/oauth-client/v1/projects/{server.project['id']}"
        created = requests.post(f"{server.base}{server.path}/keys", headers={"Authorization": "Bearer " + server.token},
                                json={"keys": [{"name": "bench.title", "namespace": "bench", "translations": {"en": "Title"}}]})
        assert created.status_code == 201, created.text
        return server

    def put_round(server, threads=None, connections=None):
        before = cpu_seconds(server.process.pid)
        delivered_before = delivered() if server is not plain else None
        if args.receiver == "nginx" and server is not plain:
            status_queries[0] += 1
        result = wrk(os.path.join(BENCH, "put_translation.lua"), server.base, threads or args.threads, args.duration,
                     {"BENCH_TOKEN": server.token}, connections or args.connections, server.path + "/translations")
        result["cores"] = (cpu_seconds(server.process.pid) - before) / args.duration
        if delivered_before is not None:
            result["before"] = delivered_before
        return result

    # Two servers side by side, the same writes; one has a subscriber, whose deliveries run
    # during its rounds (that is the cost being measured). Rounds alternate so drift hits both.
    server = prepared("")
    plain = prepared("b")
    try:
        server.admin("create-webhook", "--org", "bench", "--url", write_hook + "/translations", "--events", "translations.updated")
        auth = {"Authorization": "Bearer " + server.token}
        path = server.path
        without, with_hook, single_without, single_with = [], [], [], []
        for _ in range(3):
            without.append(put_round(plain))
            with_hook.append(put_round(server))
            settle(with_hook[-1])
            # One connection: the write's own latency, with the machine not saturated.
            single_without.append(put_round(plain, 1, 1))
            single_with.append(put_round(server, 1, 1))
            settle(single_with[-1])
        plain.stop()
        if args.writes_only:
            raise WritesOnly()

        # 2. Sustained delivery rate: a backlog of burst × 10 deliveries.
        for index in range(9):
            server.admin("create-webhook", "--org", "bench", "--url", f"{hook}/all{index}")
        server.admin("create-webhook", "--org", "bench", "--url", f"{hook}/all9", "--events", "translations.updated")
        wait_quiet(counter)
        start_count = counter.value
        session = requests.Session()
        cpu_before = cpu_seconds(server.process.pid)
        burst_started = time.time()
        for index in range(args.burst):
            session.put(f"{server.base}{path}/translations", headers=auth,
                        json={"translations": [{"key": "bench.title", "namespace": "bench", "language": "de", "value": f"B {index}"}]})
        burst_written = time.time()
        # 10 new webhooks, and the translations one when it points at this receiver.
        expected = start_count + args.burst * (11 if args.receiver == "python" else 10)
        deadline = time.time() + 300
        samples = []
        while counter.value < expected and time.time() < deadline:
            samples.append((time.time(), counter.value))
            time.sleep(0.05)
        drained = time.time()
        # Server CPU per delivery: the burst's writes are in it too, so an upper bound.
        cpu_per_delivery = (cpu_seconds(server.process.pid) - cpu_before) / max(1, counter.value - start_count)
        delivered = counter.value - start_count
        rate = delivered / (drained - burst_started)
        # The steady part: from when the burst's writes were done to the end (the queue only drains).
        tail = [(t, c) for t, c in samples if t >= burst_written]
        steady = (tail[-1][1] - tail[0][1]) / (tail[-1][0] - tail[0][0]) if len(tail) > 2 else rate

        # 3. release.published latency with an empty queue.
        server.admin("create-webhook", "--org", "bench", "--url", f"{hook}/releases", "--events", "release.published")
        wait_quiet(counter)
        while not arrivals.empty():
            arrivals.get()
        latencies = []
        for _ in range(args.publishes):
            started = time.time()
            published = session.post(f"{server.base}{path}/publish", headers=auth, json={})
            assert published.status_code in (200, 201), published.text
            # Every webhook subscribed to all events gets it too; one arrival per publish per hook.
            _, arrived = arrivals.get(timeout=30)
            latencies.append((arrived - started) * 1000)
            wait_quiet(counter, seconds=0.3)
            while not arrivals.empty():
                arrivals.get()
            time.sleep(0.5)
        latencies.sort()
        p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    except WritesOnly:
        pass
    finally:
        server.stop()
        if plain.process.poll() is None:
            plain.stop()
        receiver.terminate()
        if nginx_work:
            stop_nginx(nginx_work)

    rows = [("PUT, no subscription, saturated", median_run(without)),
            ("PUT, one subscription, saturated", median_run(with_hook)),
            ("PUT, no subscription, 1 connection", median_run(single_without)),
            ("PUT, one subscription, 1 connection", median_run(single_with))]
    print_table(f"Writes that raise an event, release build, SQLite, {os.cpu_count()} cores; saturated: wrk "
                f"{args.threads} threads × {args.connections} connections; {args.duration} s × 3 rounds (medians). "
                f"Receiver: {'nginx answering 204' if args.receiver == 'nginx' else 'Python asyncio'}; it and the sender "
                f"share the machine with wrk and the server. Binary: {os.environ.get('BENCH_BINARY', 'this checkout')}.",
                rows, {"PUT, no subscription, saturated": "PUT, no subscription, saturated",
                       "PUT, one subscription, saturated": "PUT, no subscription, saturated",
                       "PUT, no subscription, 1 connection": "PUT, no subscription, 1 connection",
                       "PUT, one subscription, 1 connection": "PUT, no subscription, 1 connection"})
    print("\nDeliveries of the subscriber's rounds: while the writes ran, and the rest after they stopped")
    for name, runs in (("saturated", with_hook), ("1 connection", single_with)):
        for run in runs:
            print(f"  {name}: {run['total']} writes in {args.duration} s; {run['during']} delivered meanwhile "
                  f"({run['during'] / args.duration:.0f}/s), the rest {run['total'] - run['during']} within {run['drain']:.1f} s after")
    if args.writes_only:
        return
    print(f"\nDeliveries to a loopback receiver: {delivered} in {drained - burst_started:.2f} s = {rate:.0f}/s overall, "
          f"{steady:.0f}/s while only draining (target ≥ 500/s); server CPU {cpu_per_delivery * 1e6:.0f} µs per delivery "
          f"(the burst's writes included)")
    print(f"release.published with an empty queue: p50 {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms, "
          f"max {latencies[-1]:.0f} ms over {len(latencies)} publishes (target p95 ≤ 1000 ms)")


if __name__ == "__main__":
    main()
