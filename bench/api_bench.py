#!/usr/bin/env python3
"""Partner API benchmark (issue: installation tokens and the partner REST API, "Speed").

Builds release, starts better-i18n on a fresh SQLite database, mints an installation token
through the real OAuth flow, and measures on this machine, in one run:
  1. GET /healthz — the baseline, a trivial route of the same server (target: the
     authenticated read reaches at least 0.9× of it);
  2. GET /.well-known/oauth-authorization-server — a second baseline with no database call
     (/healthz pings the database);
  3. GET /api/oauth-client/v1/projects/{id} with the installation token;
  4. PUT of 1,000 translations (target: under 100 ms), median and p95 over --puts runs;
  5. resident memory (VmRSS and peak VmHWM) before and after --requests authenticated reads
     (target: under 150 MB through a million).

The reads run --rounds times, alternating with the baseline; the table shows the median round,
the ratio to the same run's baseline and the cores the server used. BENCH_BINARY=path measures
another build of the server.

Usage: python3 bench/api_bench.py [--threads 4] [--connections 32] [--duration 10] [--rounds 3]
                                  [--requests 1000000] [--puts 20] [--no-build]
Needs wrk (apt-get install wrk) and python3 with requests.
"""
import argparse
import os
import statistics
import sys
import time

import requests

from common import BENCH, BenchServer, build_release, cpu_seconds, median_run, print_table, wrk


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--puts", type=int, default=20)
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    if not args.no_build:
        build_release()

    server = BenchServer()
    try:
        tokens = server.tokens("org:read projects:read keys:read keys:write translations:read translations:write")
        minted = requests.post(f"{server.base}/api/oauth-client/installations/{tokens['grant_id']}/tokens",
                               headers={"Authorization": "Bearer " + tokens["access_token"]}).json()
        token = minted["installation_token"]
        auth = {"Authorization": "Bearer " + token}
        project = server.project["id"]
        path = f"/api/oauth-client/v1/projects/{project}"
        assert requests.get(server.base + path, headers=auth).status_code == 200

        # 1,000 keys, then PUTs of 1,000 values each (German, alternating texts so each is a write).
        keys = [{"name": f"screen.item_{i:04d}", "namespace": "bench"} for i in range(1000)]
        created = requests.post(f"{server.base}{path}/keys", headers=auth, json={"keys": keys})
        assert created.status_code == 201, created.text
        put_times = []
        for run in range(args.puts):
            values = [{"key": k["name"], "namespace": "bench", "language": "de",
                       "value": f"Eintrag {{count, plural, one {{# Stück}} other {{# Stücke}}}} {run}"} for k in keys]
            started = time.perf_counter()
            response = requests.put(f"{server.base}{path}/translations", headers=auth, json={"translations": values})
            put_times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200 and response.json()["updated"] == 1000, response.text

        env = {"BENCH_TOKEN": token}

        def measured(script, extra, route=""):
            before = cpu_seconds(server.process.pid)
            result = wrk(script and os.path.join(BENCH, script), server.base, args.threads, args.duration, extra, args.connections, route)
            result["cores"] = (cpu_seconds(server.process.pid) - before) / args.duration
            return result
        baselines, metadatas, reads = [], [], []
        for _ in range(args.rounds):
            baselines.append(measured("healthz.lua", {}))
            # /healthz pings the database; the metadata document is a route with no I/O at all.
            metadatas.append(measured(None, {}, "/.well-known/oauth-authorization-server"))
            reads.append(measured("get.lua", env, path))
        baseline, metadata, read = median_run(baselines), median_run(metadatas), median_run(reads)
        ratios = sorted(r["rps"] / b["rps"] for b, r in zip(baselines, reads))
        metadata_ratios = sorted(r["rps"] / m["rps"] for m, r in zip(metadatas, reads))

        rss_before, _ = server.rss_kib()
        served = read["total"]
        print(f"driving {args.requests} authenticated reads for the memory check…", file=sys.stderr)
        while served < args.requests:
            remaining = args.requests - served
            seconds = max(2, min(60, int(remaining / max(read["rps"], 1)) + 1))
            served += wrk(os.path.join(BENCH, "get.lua"), server.base, args.threads, seconds, env, args.connections, path)["total"]
        rss_after, rss_peak = server.rss_kib()
    finally:
        server.stop()

    put_times.sort()
    p95 = put_times[min(len(put_times) - 1, int(len(put_times) * 0.95))]
    print_table(f"Partner API on SQLite, release build, {os.cpu_count()} cores, wrk {args.threads} threads × "
                f"{args.connections} connections, median of {args.rounds} rounds (ratio: vs GET /healthz)",
                [("GET /healthz (baseline)", baseline), ("GET /.well-known/oauth-authorization-server", metadata),
                 ("GET /v1/projects/{id} (installation token)", read)],
                "GET /healthz (baseline)")
    print(f"read/healthz per round: {', '.join(f'{r:.2f}' for r in ratios)} (median {ratios[len(ratios) // 2]:.2f}); "
          f"read/metadata per round: {', '.join(f'{r:.2f}' for r in metadata_ratios)} "
          f"(median {metadata_ratios[len(metadata_ratios) // 2]:.2f})")
    print(f"\nPUT 1,000 translations: median {statistics.median(put_times):.1f} ms, p95 {p95:.1f} ms over {len(put_times)} runs")
    print(f"resident memory: {rss_before / 1024:.0f} MB before, {rss_after / 1024:.0f} MB after {served:,} requests, "
          f"peak {rss_peak / 1024:.0f} MB")
    print(f"\ntargets: read ≥ 0.9× healthz → {'met' if ratios[len(ratios) // 2] >= 0.9 else 'NOT met'}; "
          f"PUT 1,000 < 100 ms → {'met' if statistics.median(put_times) < 100 else 'NOT met'}; "
          f"RSS < 150 MB → {'met' if rss_peak < 150 * 1024 else 'NOT met'}")


if __name__ == "__main__":
    main()
