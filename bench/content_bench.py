#!/usr/bin/env python3
"""Public Content API benchmark (issue: Content CMS and the public Content API, "Speed").

Builds release, starts better-i18n on a fresh SQLite database, creates a `blog` model with 20
entries published in one language through the partner API and a `bi_pub_` key with
`admin create-public-key`, and measures on this machine, in one run:
  1. GET /healthz — the baseline, a trivial route of the same server (it pings the database);
  2. GET /v1/content/{org}/{project}/models/blog/entries with the key (target: at least 0.8x
     the baseline's requests per second);
  3. the same with If-None-Match of the list's ETag, answered 304 (target: at least 0.9x).
Each measure runs --rounds times, alternating; the table shows the median round, the ratio to
the same run's baseline and the cores the server used. BENCH_BINARY=path measures another build.

Usage: python3 bench/content_bench.py [--threads 4] [--connections 32] [--duration 10]
                                      [--rounds 3] [--no-build]
Needs wrk (apt-get install wrk) and python3 with requests.
"""
import argparse
import os

import requests

from common import BENCH, BenchServer, build_release, cpu_seconds, median_run, print_table, wrk


def seed(server):
    """A blog of 20 posts published in English, and a public key; returns (list path, key)."""
    tokens = server.tokens("org:read projects:read content:read content:write content:publish")
    minted = requests.post(f"{server.base}/api/oauth-client/installations/{tokens['grant_id']}/tokens",
                           headers={"Authorization": "Bearer " + tokens["access_token"]}).json()
    auth = {"Authorization": "Bearer " + minted["installation_token"]}
    base = f"{server.base}/api/oauth-client/v1/projects/{server.project['id']}/content"
    model = requests.post(f"{base}/models", headers=auth, json={"slug": "blog", "display_name": "Blog", "fields": [
        {"name": "excerpt", "type": "textarea", "localized": True},
        {"name": "reading_time", "type": "number"},
        {"name": "cover", "type": "media"},
    ]})
    assert model.status_code == 201, model.text
    for i in range(20):
        entry = requests.post(f"{base}/models/blog/entries", headers=auth, json={
            "slug": f"post-{i:02d}", "status": "published",
            "fields": {"reading_time": 3 + i % 5, "cover": f"https://images.example.com/{i}.png"},
            "translations": {"en": {"title": f"Post number {i}", "body": "Some **Markdown** body text. " * 20,
                                    "fields": {"excerpt": f"What post {i} is about, in a sentence or two."}}},
        })
        assert entry.status_code == 201, entry.text
    key = server.admin("create-public-key", "--org", "bench", "--project", "web", "--name", "Bench")["key"]
    return "/v1/content/bench/web/models/blog/entries", key


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    if not args.no_build:
        build_release()
    # The per-key limit is raised so it does not shape the measurement.
    server = BenchServer(extra_args=("--content-rate-limit-per-minute", "10000000"))
    try:
        path, key = seed(server)
        first = requests.get(server.base + path, headers={"x-api-key": key})
        assert first.status_code == 200 and len(first.json()["items"]) == 20, first.text
        etag = first.headers["ETag"]
        assert requests.get(server.base + path, headers={"x-api-key": key, "If-None-Match": etag}).status_code == 304

        def measured(script, env, route=""):
            before = cpu_seconds(server.process.pid)
            result = wrk(os.path.join(BENCH, script), server.base, args.threads, args.duration, env, args.connections, route)
            result["cores"] = (cpu_seconds(server.process.pid) - before) / args.duration
            return result

        baselines, lists, revalidations = [], [], []
        for _ in range(args.rounds):
            baselines.append(measured("healthz.lua", {}))
            lists.append(measured("content.lua", {"BENCH_KEY": key, "BENCH_ETAG": ""}, path))
            revalidations.append(measured("content.lua", {"BENCH_KEY": key, "BENCH_ETAG": etag}, path))
    finally:
        server.stop()
    baseline, listed, revalidated = median_run(baselines), median_run(lists), median_run(revalidations)
    list_ratios = sorted(r["rps"] / b["rps"] for b, r in zip(baselines, lists))
    revalidation_ratios = sorted(r["rps"] / b["rps"] for b, r in zip(baselines, revalidations))
    print_table(f"Public Content API on SQLite, release build, {os.cpu_count()} cores, wrk {args.threads} threads × "
                f"{args.connections} connections, median of {args.rounds} rounds (ratio: vs GET /healthz)",
                [("GET /healthz (baseline)", baseline),
                 ("GET …/models/blog/entries (20 items, key)", listed),
                 ("same, If-None-Match → 304", revalidated)],
                "GET /healthz (baseline)")
    median = lambda ratios: ratios[len(ratios) // 2]
    print(f"list/healthz per round: {', '.join(f'{r:.2f}' for r in list_ratios)} (median {median(list_ratios):.2f}); "
          f"304/healthz per round: {', '.join(f'{r:.2f}' for r in revalidation_ratios)} (median {median(revalidation_ratios):.2f})")
    print(f"list body: {len(first.content)} bytes")
    print(f"\ntargets: list ≥ 0.8× healthz → {'met' if median(list_ratios) >= 0.8 else 'NOT met'}; "
          f"304 ≥ 0.9× healthz → {'met' if median(revalidation_ratios) >= 0.9 else 'NOT met'}")


if __name__ == "__main__":
    main()
