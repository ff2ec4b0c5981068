#!/usr/bin/env python3
"""PostgreSQL benchmark (issue 17): two `serve` instances on one throwaway PostgreSQL cluster.

Builds release, starts a PostgreSQL cluster of its own under /tmp (the newest
/usr/lib/postgresql/*/bin, run as the postgres user, on --pg-port), two better-i18n servers on
it, and drives both instances at once with wrk, --rounds times (the table shows the median
round):
  1. GET /healthz on both — the baseline;
  2. refresh-token grants on both (--chains keep-alive chains in all, half per instance,
     client_secret_basic), and p50/p99;
  3. GET /api/oauth-client/v1/projects/{id} with an installation token on both.
Rates are totals over the two instances; p50 is the mean and p99 the worse of the two. The
"cores" columns say where the machine's time went during each measurement (both servers,
PostgreSQL, and the whole machine including wrk), which is what limits the totals.
BENCH_BINARY=path measures another build. Run as root (to switch to the postgres user).

Usage: python3 bench/postgres_bench.py [--chains 16] [--connections 32] [--duration 10] [--rounds 3]
                                       [--pg-port PORT] [--no-build]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading

import requests

from common import BENCH, BenchServer, build_release, cpu_seconds, free_port, median_run, wrk


def postgres_bin():
    candidates = sorted((d for d in os.listdir("/usr/lib/postgresql") if os.path.isdir(f"/usr/lib/postgresql/{d}/bin")),
                        key=lambda v: [int(x) for x in v.split(".") if x.isdigit()])
    if not candidates:
        sys.exit("no PostgreSQL under /usr/lib/postgresql (apt-get install postgresql)")
    return f"/usr/lib/postgresql/{candidates[-1]}/bin"


class Cluster:
    """A throwaway PostgreSQL cluster, trust authentication on loopback, removed on stop."""

    def __init__(self, port):
        self.bin = postgres_bin()
        self.root = tempfile.mkdtemp(prefix="better-i18n-bench-pg-")
        shutil.chown(self.root, "postgres", "postgres")
        self.port = port
        try:
            self.su(f"{self.bin}/initdb -D {self.root}/data -U postgres --auth-local=trust --auth-host=trust -E UTF8")
            self.su(f"{self.bin}/pg_ctl -D {self.root}/data -l {self.root}/log -w start "
                    f"-o '-p {port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200'")
        except subprocess.CalledProcessError:
            log = open(f"{self.root}/log").read() if os.path.exists(f"{self.root}/log") else ""
            shutil.rmtree(self.root, ignore_errors=True)
            sys.exit("PostgreSQL did not start:\n" + log[-2000:])
        with open(f"{self.root}/data/postmaster.pid") as pid:
            self.pid = int(pid.readline())
        self.url = f"postgres://postgres@127.0.0.1:{port}/postgres"

    def su(self, command):
        subprocess.run(["su", "postgres", "-c", command], check=True, stdout=subprocess.DEVNULL)

    def cpu_seconds(self):
        """CPU seconds of the postmaster and every backend it started."""
        total = cpu_seconds(self.pid)
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as stat:
                        fields = stat.read().rsplit(")", 1)[1].split()
                    if int(fields[1]) == self.pid:
                        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
                except (OSError, IndexError, ValueError):
                    pass
        return total

    def stop(self):
        subprocess.run(["su", "postgres", "-c", f"{self.bin}/pg_ctl -D {self.root}/data -m fast stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.root, ignore_errors=True)


def machine_busy_seconds():
    """Busy CPU seconds of the whole machine so far (all cores, from /proc/stat)."""
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chains", type=int, default=16, help="refresh-token chains in all, half per instance")
    parser.add_argument("--connections", type=int, default=32, help="read connections in all, half per instance")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pg-port", type=int, default=0, help="default: a free port")
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    if not args.no_build:
        build_release()

    cluster = Cluster(args.pg_port or free_port())
    servers = []
    try:
        servers = [BenchServer(database=cluster.url, suffix=name) for name in ("a", "b")]
        scopes = "org:read projects:read"
        chains = max(1, args.chains // 2)
        connections = max(1, args.connections // 2)
        reads = []
        for server in servers:
            tokens = server.tokens(scopes)
            minted = requests.post(f"{server.base}/api/oauth-client/installations/{tokens['grant_id']}/tokens",
                                   headers={"Authorization": "Bearer " + tokens["access_token"]}).json()
            path = f"/api/oauth-client/v1/projects/{server.project['id']}"
            assert requests.get(server.base + path, headers={"Authorization": "Bearer " + minted["installation_token"]}).ok
            reads.append(({"BENCH_TOKEN": minted["installation_token"]}, path))

        def fresh_chains(server):
            tokens_file = os.path.join(server.work, "refresh.txt")
            with open(tokens_file, "w") as f:
                for _ in range(chains):
                    f.write(server.tokens(scopes)["refresh_token"] + "\n")
            return {"BENCH_AUTH": server.auth, "BENCH_TOKENS": tokens_file}

        def both(script, threads, conns, setups):
            """One wrk per instance, at the same time; totals and where the CPU went."""
            results = [None, None]
            before = ([cpu_seconds(s.process.pid) for s in servers], cluster.cpu_seconds(), machine_busy_seconds())

            def run(i):
                env, path = setups[i]
                results[i] = wrk(os.path.join(BENCH, script), servers[i].base, threads, args.duration, env, conns, path)
            workers = [threading.Thread(target=run, args=(i,)) for i in range(2)]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            servers_cores = sum(cpu_seconds(s.process.pid) - b for s, b in zip(servers, before[0])) / args.duration
            return {"rps": sum(r["rps"] for r in results), "p50": sum(r["p50"] for r in results) / 2,
                    "p99": max(r["p99"] for r in results), "non2xx": sum(r["non2xx"] for r in results),
                    "per_instance": [r["rps"] for r in results], "servers": servers_cores,
                    "postgres": (cluster.cpu_seconds() - before[1]) / args.duration,
                    "machine": (machine_busy_seconds() - before[2]) / args.duration}

        rounds = {"baseline": [], "refresh": [], "read": []}
        for round in range(args.rounds):
            print(f"round {round + 1} of {args.rounds}…", file=sys.stderr)
            rounds["baseline"].append(both("healthz.lua", max(1, min(4, connections)), connections, [({}, ""), ({}, "")]))
            rounds["refresh"].append(both("refresh.lua", chains, chains, [(fresh_chains(s), "") for s in servers]))
            rounds["read"].append(both("get.lua", max(1, min(4, connections)), connections, reads))
    finally:
        for server in servers:
            server.stop()
        cluster.stop()

    rows = [("GET /healthz, both (baseline)", median_run(rounds["baseline"])),
            (f"refresh grants, both ({args.chains} chains)", median_run(rounds["refresh"])),
            ("GET /v1/projects/{id}, both", median_run(rounds["read"]))]
    base = rows[0][1]["rps"]
    print(f"\nTwo instances on one PostgreSQL ({os.path.basename(os.path.dirname(postgres_bin()))}), release build, "
          f"{os.cpu_count()} cores shared by both servers, PostgreSQL and wrk; median of {args.rounds} rounds")
    print(f"{'measure':<40}{'req/s':>9}{'A / B':>13}{'p50 ms':>8}{'p99 ms':>8}{'ratio':>7}"
          f"{'servers':>9}{'postgres':>9}{'machine':>9}{'non-2xx':>8}")
    for name, r in rows:
        split = "/".join(f"{x:.0f}" for x in r["per_instance"])
        print(f"{name:<40}{r['rps']:>9.0f}{split:>13}{r['p50']:>8.2f}{r['p99']:>8.2f}{r['rps'] / base:>7.2f}"
              f"{r['servers']:>9.2f}{r['postgres']:>9.2f}{r['machine']:>9.2f}{r['non2xx']:>8}")
    print("(servers/postgres/machine: cores busy during the measurement; the machine has "
          f"{os.cpu_count()}, and wrk uses the rest)")
    refresh, read = rows[1][1]["rps"], rows[2][1]["rps"]
    print(f"\ntargets: refresh ≥ 2000/s in total → {'met' if refresh >= 2000 else 'NOT met'}; "
          f"reads ≥ 10000/s in total → {'met' if read >= 10000 else 'NOT met'}")


if __name__ == "__main__":
    main()
