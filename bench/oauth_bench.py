#!/usr/bin/env python3
"""OAuth token-endpoint benchmark (issue: authorization server, "Speed").

Builds release, starts better-i18n on a fresh SQLite database, and measures with wrk on this
machine, in one run:
  1. GET /healthz — the baseline: a trivial route of the same server;
  2. refresh-token grants per second with several concurrent clients, each rotating its own
     token chain, and p50/p99 latency;
  3. p50/p99 of refresh grants at about half that rate (paced clients);
  4. authorization-code exchanges per second (codes prepared beforehand through the real
     consent form).
Ratios against the baseline are printed so runs on a noisy machine stay comparable.

Usage: python3 bench/oauth_bench.py [--threads 8] [--duration 10] [--codes 6000] [--no-build]
Needs wrk (apt-get install wrk) and python3 with requests.
"""
import argparse
import base64
import hashlib
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urlparse

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.dirname(os.path.abspath(__file__))
REDIRECT = "https://bench.example.com/callback"
PASSWORD = "benchmark password"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values = {}
        self.scopes = []
        self.option = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden":
            self.values[attrs["name"]] = attrs.get("value", "")
        if tag == "input" and attrs.get("name") == "scope" and "checked" in attrs:
            self.scopes.append(attrs["value"])
        if tag == "option" and self.option is None:
            self.option = attrs.get("value")


def parse(html):
    parser = Inputs()
    parser.feed(html)
    return parser


def wrk(script, base, threads, duration, env):
    out = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(threads), "-d", f"{duration}s", "--latency", "-s", script, base],
        capture_output=True, text=True, env={**os.environ, **env}, check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    def pct(p):
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"rps": rps, "p50": pct(50), "p99": pct(99), "non2xx": int(non2xx.group(1)) if non2xx else 0, "raw": out}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--codes", type=int, default=8000)
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()

    if not args.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "better-i18n"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, ".build", "release", "better-i18n")
    work = tempfile.mkdtemp(prefix="better-i18n-bench-")
    database = "sqlite://" + os.path.join(work, "bench.sqlite")

    def admin(*a):
        out = subprocess.run([binary, "admin", *a, "--database-url", database, "--bcrypt-cost", "4", "--json"],
                             check=True, capture_output=True, text=True).stdout
        return json.loads(out)

    admin("create-user", "--email", "bench@example.com", "--name", "Bench", "--password", PASSWORD)
    admin("create-org", "--slug", "bench", "--name", "Bench", "--owner", "bench@example.com")
    admin("create-project", "--org", "bench", "--slug", "web", "--name", "Web", "--source-language", "en")
    client = admin("create-client", "--name", "Bench", "--type", "web", "--redirect-uri", REDIRECT)
    auth = "Basic " + base64.b64encode(f"{client['client_id']}:{client['client_secret']}".encode()).decode()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(os.path.join(work, "server.log"), "w")
    server = subprocess.Popen([binary, "serve", "--port", str(port), "--database-url", database,
                               "--token-rate-limit-per-minute", "10000000", "--log-level", "warning"],
                              stdout=log, stderr=log)
    try:
        for _ in range(100):
            try:
                if requests.get(base + "/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                if server.poll() is not None:
                    sys.exit("server exited: " + open(os.path.join(work, "server.log")).read())
                time.sleep(0.1)

        browser = requests.Session()
        page = parse(browser.get(base + "/login").text)
        browser.post(base + "/login", data={**page.values, "email": "bench@example.com", "password": PASSWORD},
                     allow_redirects=False)
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = urlencode({"response_type": "code", "client_id": client["client_id"], "redirect_uri": REDIRECT,
                           "state": "s", "code_challenge": challenge, "code_challenge_method": "S256",
                           "scope": "org:read projects:read"})

        def code():
            form = parse(browser.get(f"{base}/api/auth/mcp/authorize?{query}").text)
            data = [*form.values.items(), ("organization_id", form.option), ("project_access", "all"),
                    ("decision", "approve"), *[("scope", s) for s in form.scopes]]
            location = browser.post(base + "/api/auth/mcp/authorize", data=data, allow_redirects=False).headers["Location"]
            return parse_qs(urlparse(location).query)["code"][0]

        def exchange(c):
            return requests.post(base + "/api/auth/mcp/token", headers={"Authorization": auth}, data={
                "grant_type": "authorization_code", "code": c, "redirect_uri": REDIRECT, "code_verifier": verifier}).json()

        print(f"preparing {args.threads} token chains and {args.codes} codes…", file=sys.stderr)
        tokens_file = os.path.join(work, "refresh.txt")
        with open(tokens_file, "w") as f:
            for _ in range(args.threads):
                f.write(exchange(code())["refresh_token"] + "\n")
        codes_file = os.path.join(work, "codes.txt")
        with open(codes_file, "w") as f:
            for _ in range(args.codes):
                f.write(code() + "\n")

        env = {"BENCH_AUTH": auth, "BENCH_TOKENS": tokens_file}
        baseline = wrk(os.path.join(BENCH, "healthz.lua"), base, args.threads, args.duration, {})
        peak = wrk(os.path.join(BENCH, "refresh.lua"), base, args.threads, args.duration, env)
        # Fresh chains for the paced run: the peak run rotated (and so used up) the first ones.
        with open(tokens_file, "w") as f:
            for _ in range(args.threads):
                f.write(exchange(code())["refresh_token"] + "\n")
        # Each paced client waits so that, with the peak latency added, the total is half the peak rate.
        pause_ms = max(1, int(2000 * args.threads / peak["rps"] - peak["p50"])) if peak["rps"] else 10
        half = wrk(os.path.join(BENCH, "refresh.lua"), base, args.threads, args.duration,
                   {**env, "BENCH_DELAY_MS": str(pause_ms)})
        # Shorter than the others, so the prepared codes outlast the run and the rate is real.
        exchanges = wrk(os.path.join(BENCH, "exchange.lua"), base, args.threads, max(2, args.duration // 3),
                        {"BENCH_AUTH": auth, "BENCH_CODES": codes_file, "BENCH_VERIFIER": verifier,
                         "BENCH_REDIRECT": REDIRECT, "BENCH_THREADS": str(args.threads)})
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(f"\nOAuth token endpoint on SQLite, release build, {os.cpu_count()} cores, {args.threads} concurrent clients")
    print(f"{'measure':<36}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'vs healthz':>12}{'non-2xx':>9}")
    for name, r in [("GET /healthz (baseline)", baseline), ("refresh grants, peak", peak),
                    (f"refresh grants, paced (~half)", half), ("code exchanges", exchanges)]:
        print(f"{name:<36}{r['rps']:>10.0f}{r['p50']:>9.2f}{r['p99']:>9.2f}{r['rps'] / baseline['rps']:>12.2f}{r['non2xx']:>9}")
    exchanged = exchanges["rps"] * max(2, args.duration // 3)
    if exchanged >= args.codes * 0.95:
        print(f"(code exchanges used up all {args.codes} codes: that rate is a lower bound; raise --codes)")
    print(f"\ntargets: refresh ≥ 1500/s → {'met' if peak['rps'] >= 1500 else 'NOT met'}; "
          f"p99 < 20 ms at half load → {'met' if half['p99'] < 20 else 'NOT met'}")


if __name__ == "__main__":
    main()
