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
import os
import sys

from common import BENCH, BenchServer, build_release, wrk


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--codes", type=int, default=8000)
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()

    if not args.no_build:
        build_release()
    server = BenchServer()
    base, auth = server.base, server.auth
    scopes = "org:read projects:read"
    try:
        print(f"preparing {args.threads} token chains and {args.codes} codes…", file=sys.stderr)
        tokens_file = os.path.join(server.work, "refresh.txt")
        with open(tokens_file, "w") as f:
            for _ in range(args.threads):
                f.write(server.tokens(scopes)["refresh_token"] + "\n")
        codes_file = os.path.join(server.work, "codes.txt")
        with open(codes_file, "w") as f:
            for _ in range(args.codes):
                f.write(server.code(scopes) + "\n")

        env = {"BENCH_AUTH": auth, "BENCH_TOKENS": tokens_file}
        baseline = wrk(os.path.join(BENCH, "healthz.lua"), base, args.threads, args.duration, {})
        peak = wrk(os.path.join(BENCH, "refresh.lua"), base, args.threads, args.duration, env)
        # Fresh chains for the paced run: the peak run rotated (and so used up) the first ones.
        with open(tokens_file, "w") as f:
            for _ in range(args.threads):
                f.write(server.tokens(scopes)["refresh_token"] + "\n")
        # Paced clients wait between requests; the pause is calibrated by a short run so the
        # measured run lands near half the peak rate.
        target = peak["rps"] / 2
        pause_ms = max(1.0, 1000 * args.threads / target) if target else 10.0
        for _ in range(2):
            trial = wrk(os.path.join(BENCH, "refresh.lua"), base, args.threads, 3, {**env, "BENCH_DELAY_MS": str(int(pause_ms))})
            # Per-thread period = pause + latency; solve for the pause that gives the target rate.
            latency_ms = max(0.0, 1000 * args.threads / max(trial["rps"], 1) - pause_ms)
            pause_ms = max(1.0, 1000 * args.threads / target - latency_ms)
            with open(tokens_file, "w") as f:
                for _ in range(args.threads):
                    f.write(server.tokens(scopes)["refresh_token"] + "\n")
        half = wrk(os.path.join(BENCH, "refresh.lua"), base, args.threads, args.duration,
                   {**env, "BENCH_DELAY_MS": str(int(pause_ms))})
        # Shorter than the others, so the prepared codes outlast the run and the rate is real.
        exchanges = wrk(os.path.join(BENCH, "exchange.lua"), base, args.threads, max(2, args.duration // 3),
                        {"BENCH_AUTH": auth, "BENCH_CODES": codes_file, "BENCH_VERIFIER": server.verifier,
                         "BENCH_REDIRECT": "https://bench.example.com/callback", "BENCH_THREADS": str(args.threads)})
    finally:
        server.stop()

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
