#!/usr/bin/env python3
"""CDN benchmark (issue: publishing and the CDN, "Speed").

Builds release, starts better-i18n on a fresh SQLite database, fills a project with 10,000 keys
x 10 languages through the partner API, and measures on this machine, in one run:
  1. publish-to-visible, --publishes times: change one value of one language, POST …/publish
     of every language (target: under 1 s — unchanged languages are not rendered again), then
     poll the latest {locale}.json on the CDN until it carries the change (target: visible
     within 1 s of the publish response, p95); then the same with a value changed in every
     language (target: under 2 s);
  2. `better-i18n cdn export` of the same database, served by nginx (Debian's package) on
     loopback, against this server serving the same latest-locale file — requests per second
     with wrk, both in the same run, for the 10,000-key file (target: at least 0.9x nginx) and
     for a small one, a 30-key project (target: at least 1.0x nginx).

Usage: python3 bench/cdn_bench.py [--threads 2] [--connections 32] [--duration 10]
                                  [--publishes 20] [--no-build]
Needs wrk and nginx (apt-get install wrk nginx) and python3 with requests.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import requests

from common import ROOT, BenchServer, build_release, free_port, print_table, start_nginx, stop_nginx, wrk

LANGUAGES = ["de", "fr", "es", "it", "nl", "pt", "pl", "sv", "ja"]


def fill(server, auth, path, keys, languages, namespace="app"):
    for start in range(0, keys, 1000):
        batch = [{"name": f"screen.item_{i:05d}", "namespace": namespace,
                  "translations": {"en": f"Item {i} of {{count, plural, one {{# thing}} other {{# things}}}}"}}
                 for i in range(start, min(start + 1000, keys))]
        r = requests.post(f"{server.base}{path}/keys", headers=auth, json={"keys": batch})
        assert r.status_code == 201, r.text
        for language in languages:
            values = [{"key": k["name"], "namespace": namespace, "language": language,
                       "value": f"[{language}] {k['translations']['en']}"} for k in batch]
            r = requests.put(f"{server.base}{path}/translations", headers=auth, json={"translations": values})
            assert r.status_code == 200, r.text


def nginx(root):
    """nginx serving `root` as the CDN would (its headers too). Returns (port, work directory)."""
    return start_nginx("auto", "    sendfile on;\n    tcp_nopush on;\n    default_type application/json;", f"""        root {root};
        location / {{
            add_header Cache-Control "public, max-age=60, stale-while-revalidate=300";
            add_header Access-Control-Allow-Origin "*";
        }}""")


def compare(label, server_url, nginx_url, args, target, rows):
    a = requests.get(server_url)
    b = requests.get(nginx_url)
    assert a.status_code == 200 and b.status_code == 200, (a.status_code, b.status_code)
    assert a.content == b.content, "nginx serves the exported file, byte for byte the server's"
    ours = wrk(None, server_url, args.threads, args.duration, connections=args.connections)
    theirs = wrk(None, nginx_url, args.threads, args.duration, connections=args.connections)
    print(f"  {label} ({len(a.content):,} bytes)")
    print(f"    better-i18n  {ours['rps']:>10,.0f} req/s  p50 {ours['p50']:.2f} ms  p99 {ours['p99']:.2f} ms  non-2xx {ours['non2xx']}")
    print(f"    nginx        {theirs['rps']:>10,.0f} req/s  p50 {theirs['p50']:.2f} ms  p99 {theirs['p99']:.2f} ms  non-2xx {theirs['non2xx']}")
    print(f"    ratio        {ours['rps'] / theirs['rps']:.2f}x nginx (target >= {target:.2f})")
    rows += [(f"nginx, {label} (baseline)", theirs), (f"better-i18n, {label}", ours)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--publishes", type=int, default=20)
    parser.add_argument("--keys", type=int, default=10_000)
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    if not args.no_build:
        build_release()

    server = BenchServer()
    nginx_work = None
    try:
        tokens = server.tokens("org:read projects:read projects:write keys:read keys:write "
                               "translations:read translations:write translations:publish")
        token = requests.post(f"{server.base}/api/oauth-client/installations/{tokens['grant_id']}/tokens",
                              headers={"Authorization": "Bearer " + tokens["access_token"]}).json()["installation_token"]
        auth = {"Authorization": "Bearer " + token}
        path = f"/api/oauth-client/v1/projects/{server.project['id']}"
        for language in LANGUAGES[2:]:
            assert requests.post(f"{server.base}{path}/languages", headers=auth, json={"code": language}).status_code == 201
        started = time.perf_counter()
        fill(server, auth, path, args.keys, LANGUAGES)
        print(f"filled {args.keys:,} keys x {len(LANGUAGES) + 1} languages in {time.perf_counter() - started:.1f} s")

        small = requests.post(f"{server.base}/api/oauth-client/v1/projects", headers=auth,
                              json={"name": "Small", "slug": "small", "sourceLanguage": "en"}).json()
        small_path = f"/api/oauth-client/v1/projects/{small['id']}"
        requests.post(f"{server.base}{small_path}/languages", headers=auth, json={"code": "de"})
        fill(server, auth, small_path, 30, ["de"])
        assert requests.post(f"{server.base}{small_path}/publish", headers=auth).status_code == 201

        latest = f"{server.base}/cdn/bench/web/de.json"

        def p95(values):
            return sorted(values)[max(0, int(round(0.95 * len(values))) - 1)]

        def publishes(runs, languages):
            publish_times, visible_times = [], []
            for run in range(runs):
                marker = f"published value {run} {len(languages)}"
                r = requests.put(f"{server.base}{path}/translations", headers=auth, json={"translations": [
                    {"key": "screen.item_00000", "namespace": "app", "language": language, "value": f"{marker} {language}"}
                    for language in languages]})
                assert r.status_code == 200, r.text
                t0 = time.perf_counter()
                r = requests.post(f"{server.base}{path}/publish", headers=auth)
                t1 = time.perf_counter()
                assert r.status_code == 201, r.text
                while marker not in requests.get(latest).text:
                    if time.perf_counter() - t1 > 10:
                        sys.exit("the publish never became visible")
                t2 = time.perf_counter()
                publish_times.append((t1 - t0) * 1000)
                visible_times.append((t2 - t1) * 1000)
            return publish_times, visible_times

        for label, languages, runs, target in [("one language changed", ["de"], args.publishes, 1000),
                                               ("every language changed", ["en"] + LANGUAGES, max(3, args.publishes // 4), 2000)]:
            publish_times, visible_times = publishes(runs, languages)
            print(f"publish of {args.keys:,} keys x {len(LANGUAGES) + 1} languages, {label}, {runs} runs:")
            print(f"  publish response   median {statistics.median(publish_times):7.0f} ms  p95 {p95(publish_times):7.0f} ms  (target < {target} ms)")
            print(f"  visible after it   median {statistics.median(visible_times):7.0f} ms  p95 {p95(visible_times):7.0f} ms  (target < 1000 ms)")

        export = tempfile.mkdtemp(prefix="better-i18n-export-")
        os.chmod(export, 0o755)  # nginx's workers are not root
        started = time.perf_counter()
        subprocess.run([server.binary, "cdn", "export", "--out", export, "--database-url", server.database,
                        "--cdn-url", server.base + "/cdn"], check=True)
        print(f"cdn export: {time.perf_counter() - started:.1f} s")
        port, nginx_work = nginx(export)
        print(f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, latest de.json, identity encoding:")
        rows = []
        compare("10,000-key project", latest, f"http://127.0.0.1:{port}/bench/web/de.json", args, 0.9, rows)
        compare("30-key project", f"{server.base}/cdn/bench/small/de.json", f"http://127.0.0.1:{port}/bench/small/de.json", args, 1.0,
                rows)
        # One table for comparing runs; each ratio is against nginx serving the same file.
        print_table("CDN, latest de.json, identity encoding (ratio: vs nginx serving the same file, same run)", rows,
                    {name: rows[i - i % 2][0] for i, (name, _) in enumerate(rows)})
    finally:
        if nginx_work:
            stop_nginx(nginx_work)
        server.stop()


if __name__ == "__main__":
    main()
