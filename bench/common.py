"""Shared pieces of the benchmarks: a release server on a fresh SQLite database, seeding
through the real admin commands, codes through the real consent form, and wrk runs."""
import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
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


def build_release():
    subprocess.run(["swift", "build", "-c", "release", "--product", "better-i18n"], cwd=ROOT, check=True)


def release_binary():
    """The server under test: BENCH_BINARY when set (to compare two builds), else this checkout's."""
    return os.environ.get("BENCH_BINARY") or os.path.join(ROOT, ".build", "release", "better-i18n")


def cpu_seconds(pid):
    """User + system CPU seconds a process has used so far (from /proc)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def median_run(runs):
    """The run with the median rate of several (its latencies come with it)."""
    ordered = sorted(runs, key=lambda r: r["rps"])
    return ordered[len(ordered) // 2]


def print_table(title, rows, baseline_name):
    """One table: rate, latencies and the ratio to the same run's baseline row (`baseline_name`,
    or a dict naming each row's own baseline row)."""
    by_name = dict(rows)
    width = max(36, max(len(name) for name, _ in rows) + 2)
    print(f"\n{title}")
    print(f"{'measure':<{width}}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}{'cores':>7}{'non-2xx':>9}")
    for name, r in rows:
        cores = f"{r['cores']:.2f}" if r.get("cores") is not None else "-"
        base = by_name[baseline_name[name] if isinstance(baseline_name, dict) else baseline_name]["rps"]
        print(f"{name:<{width}}{r['rps']:>10.0f}{r['p50']:>9.2f}{r['p99']:>9.2f}{r['rps'] / base:>8.2f}{cores:>7}{r['non2xx']:>9}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inputs(HTMLParser):
    """Hidden fields, checked scopes and the first organization of a form."""

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


class BenchServer:
    """`better-i18n serve` (release) on a fresh database (or `database`, shared with other
    servers) with a user, an organization, a project and a confidential client; limits raised so
    they do not shape the measurement."""

    def __init__(self, extra_args=(), binary=None, database=None, suffix=""):
        self.binary = binary or release_binary()
        self.work = tempfile.mkdtemp(prefix="better-i18n-bench-")
        self.database = database or "sqlite://" + os.path.join(self.work, "bench.sqlite")
        if self.database.startswith("postgres"):
            # Every instance on one PostgreSQL database shares the key that seals webhook secrets.
            os.environ.setdefault("BETTER_I18N_SECRET_KEY", "5a" * 32)
        self.seed(suffix)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(self.work, "server.log"), "w")
        self.process = subprocess.Popen(
            [self.binary, "serve", "--port", str(self.port), "--database-url", self.database,
             "--token-rate-limit-per-minute", "10000000", "--rate-limit-per-minute", "10000000",
             "--log-level", "warning", *extra_args],
            stdout=self.log, stderr=self.log)
        for _ in range(100):
            try:
                if requests.get(self.base + "/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                if self.process.poll() is not None:
                    sys.exit("server exited: " + open(os.path.join(self.work, "server.log")).read())
                time.sleep(0.1)
        self.browser = requests.Session()
        page = parse(self.browser.get(self.base + "/login").text)
        self.browser.post(self.base + "/login", data={**page.values, "email": self.email, "password": PASSWORD},
                          allow_redirects=False)
        self.verifier = secrets.token_urlsafe(48)

    def seed(self, suffix):
        """A user, an organization, a project and a confidential client (`suffix` keeps several
        servers on one shared database apart)."""
        self.email = f"bench{suffix}@example.com"
        self.admin("create-user", "--email", self.email, "--name", "Bench", "--password", PASSWORD)
        self.admin("create-org", "--slug", f"bench{suffix}", "--name", "Bench", "--owner", self.email)
        self.project = self.admin("create-project", "--org", f"bench{suffix}", "--slug", "web", "--name", "Web",
                                  "--source-language", "en", "--languages", "de,fr")
        self.client = self.admin("create-client", "--name", "Bench", "--type", "web", "--redirect-uri", REDIRECT)
        self.auth = "Basic " + base64.b64encode(f"{self.client['client_id']}:{self.client['client_secret']}".encode()).decode()

    def admin(self, *args):
        out = subprocess.run([self.binary, "admin", *args, "--database-url", self.database, "--bcrypt-cost", "4", "--json"],
                             check=True, capture_output=True, text=True).stdout
        return json.loads(out)

    def code(self, scopes):
        """An authorization code through the real consent form, approving `scopes`."""
        challenge = base64.urlsafe_b64encode(hashlib.sha256(self.verifier.encode()).digest()).rstrip(b"=").decode()
        query = urlencode({"response_type": "code", "client_id": self.client["client_id"], "redirect_uri": REDIRECT,
                           "state": "s", "code_challenge": challenge, "code_challenge_method": "S256", "scope": scopes})
        form = parse(self.browser.get(f"{self.base}/api/auth/mcp/authorize?{query}").text)
        data = [*form.values.items(), ("organization_id", form.option), ("project_access", "all"),
                ("decision", "approve"), *[("scope", s) for s in scopes.split()]]
        location = self.browser.post(self.base + "/api/auth/mcp/authorize", data=data, allow_redirects=False).headers["Location"]
        return parse_qs(urlparse(location).query)["code"][0]

    def tokens(self, scopes="org:read projects:read"):
        return requests.post(self.base + "/api/auth/mcp/token", headers={"Authorization": self.auth}, data={
            "grant_type": "authorization_code", "code": self.code(scopes), "redirect_uri": REDIRECT,
            "code_verifier": self.verifier}).json()

    def rss_kib(self):
        with open(f"/proc/{self.process.pid}/status") as status:
            fields = dict(line.split(":", 1) for line in status if ":" in line)
        return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def wrk(script, base, threads, duration, env=None, connections=None, path=""):
    """One wrk run; `script` is a Lua file or None for plain GETs of `base + path`."""
    out = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections or threads), "-d", f"{duration}s", "--latency",
         *(["-s", script] if script else []), base + path],
        capture_output=True, text=True, env={**os.environ, **(env or {})}, check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))

    def pct(p):
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"rps": rps, "p50": pct(50), "p99": pct(99), "total": total,
            "non2xx": int(non2xx.group(1)) if non2xx else 0, "raw": out}


def start_nginx(workers, http, server):
    """nginx on a free loopback port, its pid, logs and temporary files in a fresh directory:
    `http` holds directives for the http block, `server` those of its one server (both indented
    by the caller). Returns (port, work directory); stop it with stop_nginx(work)."""
    work = tempfile.mkdtemp(prefix="better-i18n-nginx-")
    port = free_port()
    conf = os.path.join(work, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""
worker_processes {workers};
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
{http}
    server {{
        listen 127.0.0.1:{port};
{server}
    }}
}}
""")
    subprocess.run(["nginx", "-c", conf, "-p", work], check=True)
    time.sleep(0.3)
    return port, work


def stop_nginx(work):
    """Stops an nginx of start_nginx and removes its directory."""
    try:
        with open(os.path.join(work, "nginx.pid")) as f:
            os.kill(int(f.read().strip()), signal.SIGQUIT)
    except (OSError, ValueError):
        pass
    time.sleep(0.3)
    shutil.rmtree(work, ignore_errors=True)
