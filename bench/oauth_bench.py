#!/usr/bin/env python3
"""OAuth token-endpoint benchmark (issue: authorization server, "Speed"; issue 17).

Builds release, starts better-i18n on a fresh SQLite database, and measures with wrk on this
machine, in one run:
  1. GET /healthz — the baseline: a trivial route of the same server;
  2. refresh-token grants per second with --chains concurrent keep-alive clients, each rotating
     its own token chain with client_secret_basic, and p50/p99 latency;
  3. p50/p99 of refresh grants at about half that rate (paced clients);
  4. authorization-code exchanges per second (codes prepared beforehand through the real
     consent form).
Each measurement runs --rounds times; the table shows the median round, the ratio to the
baseline of the same run and the cores the server used, so runs on a noisy machine stay
comparable. BENCH_BINARY=path compares another build of the server.

Usage: python3 bench/oauth_bench.py [--chains 16] [--duration 10] [--rounds 3] [--codes 8000] [--no-build]
Needs wrk (apt-get install wrk) and python3 with requests.
"""
import argparse
import os
import sys

from common import BENCH, BenchServer, build_release, cpu_seconds, median_run, print_table, wrk


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chains", "--threads", dest="chains", type=int, default=16,
                        help="concurrent keep-alive clients, each with its own refresh-token chain")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--codes", type=int, default=8000, help="codes prepared per round")
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()

    if not args.no_build:
        build_release()
    server = BenchServer()
    base, auth, chains = server.base, server.auth, args.chains
    scopes = "org:read projects:read"
    tokens_file = os.path.join(server.work, "refresh.txt")
    codes_file = os.path.join(server.work, "codes.txt")
    env = {"BENCH_AUTH": auth, "BENCH_TOKENS": tokens_file}
    exchange_seconds = max(2, args.duration // 3)

    def fresh_chains():
        with open(tokens_file, "w") as f:
            for _ in range(chains):
                f.write(server.tokens(scopes)["refresh_token"] + "\n")

    def measured(script, threads, duration, extra):
        before = cpu_seconds(server.process.pid)
        result = wrk(os.path.join(BENCH, script), base, threads, duration, extra)
        result["cores"] = (cpu_seconds(server.process.pid) - before) / duration
        return result

    rounds = {"baseline": [], "peak": [], "half": [], "exchanges": []}
    exhausted = False
    try:
        for round in range(args.rounds):
            print(f"round {round + 1}: preparing {chains} token chains and {args.codes} codes…", file=sys.stderr)
            fresh_chains()
            with open(codes_file, "w") as f:
                for _ in range(args.codes):
                    f.write(server.code(scopes) + "\n")
            rounds["baseline"].append(measured("healthz.lua", chains, args.duration, {}))
            peak = measured("refresh.lua", chains, args.duration, env)
            rounds["peak"].append(peak)
            # Paced clients wait between requests; the pause is calibrated by short runs so the
            # measured run lands near half the peak rate. Each run gets fresh chains: a run
            # rotates (and so uses up) the ones before it.
            target = peak["rps"] / 2
            pause_ms = max(1.0, 1000 * chains / target) if target else 10.0
            for _ in range(2):
                fresh_chains()
                trial = wrk(os.path.join(BENCH, "refresh.lua"), base, chains, 3, {**env, "BENCH_DELAY_MS": str(int(pause_ms))})
                # Per-thread period = pause + latency; solve for the pause that gives the target rate.
                latency_ms = max(0.0, 1000 * chains / max(trial["rps"], 1) - pause_ms)
                pause_ms = max(1.0, 1000 * chains / target - latency_ms)
            fresh_chains()
            rounds["half"].append(measured("refresh.lua", chains, args.duration, {**env, "BENCH_DELAY_MS": str(int(pause_ms))}))
            # Shorter than the others, so the prepared codes outlast the run and the rate is real.
            exchanges = measured("exchange.lua", chains, exchange_seconds,
                                 {"BENCH_AUTH": auth, "BENCH_CODES": codes_file, "BENCH_VERIFIER": server.verifier,
                                  "BENCH_REDIRECT": "https://bench.example.com/callback", "BENCH_THREADS": str(chains)})
            rounds["exchanges"].append(exchanges)
            exhausted |= exchanges["rps"] * exchange_seconds >= args.codes * 0.95
    finally:
        server.stop()

    baseline, peak, half, exchanges = (median_run(rounds[k]) for k in ("baseline", "peak", "half", "exchanges"))
    print_table(f"OAuth token endpoint on SQLite, release build, {os.cpu_count()} cores, {chains} keep-alive chains, "
                f"client_secret_basic, median of {args.rounds} rounds (ratio: vs GET /healthz)",
                [("GET /healthz (baseline)", baseline), ("refresh grants, peak", peak),
                 ("refresh grants, paced (~half)", half), ("code exchanges", exchanges)], "GET /healthz (baseline)")
    if exhausted:
        print(f"(code exchanges used up the {args.codes} codes of a round: that rate is a lower bound; raise --codes)")
    print(f"\ntargets: refresh ≥ 2000/s → {'met' if peak['rps'] >= 2000 else 'NOT met'}; "
          f"code exchanges ≥ 1500/s → {'met' if exchanges['rps'] >= 1500 else 'NOT met'}; "
          f"p99 < 20 ms at half load → {'met' if half['p99'] < 20 else 'NOT met'}")


if __name__ == "__main__":
    main()
