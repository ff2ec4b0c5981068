#!/usr/bin/env python3
"""Scale benchmark (issue: cost that grows with the page, not the project).

Builds release, then on SQLite and on PostgreSQL (a throwaway cluster) fills one project with
--keys keys (default 100,000) x 10 languages and a small one with 1,000 x 10 through the
partner API, publishes both, changes a few values, and measures with keep-alive requests
(median of --runs): a first and a deep page of keys and translations with each filter, pending
changes, a publish, and the latest locale file on the CDN — on the big project and, for the
ratio, the same request on the small one. The server's resident memory is read throughout.

Targets: any list page < 20 ms median and within 2x of the small project's; pending changes
< 200 ms; resident memory < 300 MB.

Usage: python3 bench/scale_bench.py [--keys 100000] [--runs 20] [--backends sqlite,postgres] [--no-build]
Needs python3 with requests; PostgreSQL's server binaries (Debian's postgresql) for that backend.
"""
import argparse
import statistics
import sys
import time

import requests

from cdn_bench import LANGUAGES, fill
from common import BenchServer, build_release, free_port
from postgres_bench import Cluster

SCOPES = ("org:read projects:read projects:write keys:read keys:write translations:read "
          "translations:write translations:publish")


def median_ms(session, url, headers, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = session.get(url, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.text[:200])
    return statistics.median(times)


def deep_cursor(session, url, headers, pages, size=1000):
    """The cursor `pages` pages of `size` into a listing."""
    cursor = None
    for _ in range(pages):
        body = session.get(url + ("&" if "?" in url else "?") + f"limit={size}" + (f"&cursor={cursor}" if cursor else ""),
                           headers=headers).json()
        cursor = body.get("next_cursor") or cursor
        if not body.get("next_cursor"):
            break
    return cursor


def run_backend(name, database, args):
    server = BenchServer(database=database)
    peak = 0
    try:
        tokens = server.tokens(SCOPES)
        token = requests.post(f"{server.base}/api/oauth-client/installations/{tokens['grant_id']}/tokens",
                              headers={"Authorization": "Bearer " + tokens["access_token"]}).json()["installation_token"]
        auth = {"Authorization": "Bearer " + token}
        session = requests.Session()
        big = f"/api/oauth-client/v1/projects/{server.project['id']}"
        small_project = session.post(f"{server.base}/api/oauth-client/v1/projects", headers=auth,
                                     json={"name": "Small", "slug": "small", "sourceLanguage": "en"}).json()
        small = f"/api/oauth-client/v1/projects/{small_project['id']}"
        for path in (big, small):
            for language in ["de", "fr"] + LANGUAGES[2:]:
                session.post(f"{server.base}{path}/languages", headers=auth, json={"code": language})
        started = time.perf_counter()
        fill(server, auth, big, args.keys, LANGUAGES)
        fill(server, auth, small, 1000, LANGUAGES)
        print(f"[{name}] filled {args.keys:,} + 1,000 keys x {len(LANGUAGES) + 1} languages in {time.perf_counter() - started:.0f} s")
        peak = max(peak, server.rss_kib()[0])

        timings = {}
        started = time.perf_counter()
        assert session.post(f"{server.base}{big}/publish", headers=auth).status_code == 201
        timings["publish (every language, first)"] = ((time.perf_counter() - started) * 1000, None)
        assert session.post(f"{server.base}{small}/publish", headers=auth).status_code == 201
        for path in (big, small):
            session.put(f"{server.base}{path}/translations", headers=auth, json={"translations": [
                {"key": f"screen.item_{i:05d}", "namespace": "app", "language": "de", "value": f"changed {i}"} for i in range(0, 1000, 20)]})
        peak = max(peak, server.rss_kib()[0])

        probes = [
            ("keys, first page", "/keys?limit=100"),
            ("keys, namespace", "/keys?namespace=app&limit=100"),
            ("keys, search", "/keys?search=item_0099&limit=100"),
            ("keys, missing_language", "/keys?missing_language=de&limit=100"),
            ("translations, first page", "/translations?limit=100"),
            ("translations, languages=de", "/translations?languages=de&limit=100"),
            ("translations, namespace", "/translations?namespace=app&limit=100"),
            ("translations, keys", "/translations?keys=screen.item_00500,screen.item_00040&limit=100"),
            ("translations, status=draft", "/translations?status=draft&limit=100"),
            ("translations, status=published", "/translations?status=published&limit=100"),
            ("pending changes", "/pending-changes"),
        ]
        for label, query in probes:
            big_ms = median_ms(session, server.base + big + query, auth, args.runs)
            small_ms = median_ms(session, server.base + small + query, auth, args.runs)
            timings[label] = (big_ms, small_ms)
        for label, listing in [("keys, deep page", "/keys"), ("translations, deep page", "/translations")]:
            depth = max(1, args.keys // 2000)
            big_cursor = deep_cursor(session, server.base + big + listing, auth, depth)
            small_cursor = deep_cursor(session, server.base + small + listing, auth, 1, size=500)
            timings[label] = (median_ms(session, f"{server.base}{big}{listing}?limit=100&cursor={big_cursor}", auth, args.runs),
                              median_ms(session, f"{server.base}{small}{listing}?limit=100&cursor={small_cursor}", auth, args.runs))
        started = time.perf_counter()
        assert session.post(f"{server.base}{big}/publish", headers=auth).status_code == 201
        timings["publish (one language changed)"] = ((time.perf_counter() - started) * 1000, None)
        timings["CDN latest de.json"] = (median_ms(session, f"{server.base}/cdn/bench/web/de.json", {}, args.runs),
                                         median_ms(session, f"{server.base}/cdn/bench/small/de.json", {}, args.runs))
        peak = max(peak, server.rss_kib()[1])

        print(f"\n[{name}] {args.keys:,}-key project against a 1,000-key one, median of {args.runs} keep-alive requests")
        print(f"{'measure':36} {'big ms':>9} {'small ms':>9} {'ratio':>7}  target")
        for label, (big_ms, small_ms) in timings.items():
            if small_ms is None:
                print(f"{label:36} {big_ms:9.1f} {'':>9} {'':>7}")
                continue
            ratio = big_ms / small_ms if small_ms else float("inf")
            target = "< 200 ms" if label == "pending changes" else "" if label.startswith("CDN") else "< 20 ms, ≤ 2x"
            met = (big_ms < 200) if label == "pending changes" else True if label.startswith("CDN") else (big_ms < 20 and ratio <= 2)
            print(f"{label:36} {big_ms:9.1f} {small_ms:9.1f} {ratio:6.2f}x  {target}{'' if not target else (' met' if met else ' NOT met')}")
        print(f"resident memory peak: {peak / 1024:.0f} MB (target < 300 MB)")
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    if not args.no_build:
        build_release()
    for backend in args.backends.split(","):
        if backend == "sqlite":
            run_backend("SQLite", None, args)
        elif backend == "postgres":
            cluster = Cluster(free_port())
            try:
                run_backend("PostgreSQL", cluster.url, args)
            finally:
                cluster.stop()
        else:
            sys.exit(f"unknown backend {backend}")


if __name__ == "__main__":
    main()
