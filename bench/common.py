"""Shared pieces of the benchmarks: a release server on a fresh SQLite database, seeding
through the real admin commands, codes through the real consent form, and wrk runs."""
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


def build_release():
    subprocess.run(["swift", "build", "-c", "release", "--product", "better-i18n"], cwd=ROOT, check=True)


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
    """`better-i18n serve` (release) on a fresh database with a user, an organization, a
    project and a confidential client; limits raised so they do not shape the measurement."""

    def __init__(self, extra_args=(), database=None):
        self.binary = os.path.join(ROOT, ".build", "release", "better-i18n")
        self.work = tempfile.mkdtemp(prefix="better-i18n-bench-")
        self.database = database or "sqlite://" + os.path.join(self.work, "bench.sqlite")
        self.admin("create-user", "--email", "bench@example.com", "--name", "Bench", "--password", PASSWORD)
        self.admin("create-org", "--slug", "bench", "--name", "Bench", "--owner", "bench@example.com")
        self.project = self.admin("create-project", "--org", "bench", "--slug", "web", "--name", "Web",
                                  "--source-language", "en", "--languages", "de,fr")
        self.client = self.admin("create-client", "--name", "Bench", "--type", "web", "--redirect-uri", REDIRECT)
        self.auth = "Basic " + base64.b64encode(f"{self.client['client_id']}:{self.client['client_secret']}".encode()).decode()
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
        self.browser.post(self.base + "/login", data={**page.values, "email": "bench@example.com", "password": PASSWORD},
                          allow_redirects=False)
        self.verifier = secrets.token_urlsafe(48)

    def admin(self, *args):
        binary = os.path.join(ROOT, ".build", "release", "better-i18n")
        out = subprocess.run([binary, "admin", *args, "--database-url", self.database, "--bcrypt-cost", "4", "--json"],
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


class PostgresCluster:
    """A throwaway PostgreSQL cluster on a loopback port (Debian's binaries, run as the
    postgres user, as .ci/run does), for benchmarks on the multi-instance backend."""

    def __init__(self, port=None):
        import glob
        self.bin = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
        self.port = port or free_port()
        self.root = tempfile.mkdtemp(prefix="better-i18n-bench-pg-")
        subprocess.run(["chown", "postgres:postgres", self.root], check=True)
        self._as_postgres(f"{self.bin}/initdb -D {self.root}/data -U postgres --auth-local=trust --auth-host=trust -E UTF8")
        self._as_postgres(f"{self.bin}/pg_ctl -D {self.root}/data -l {self.root}/log "
                          f"-o '-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200' -w start")
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, command):
        subprocess.run(["su", "postgres", "-c", command], check=True, stdout=subprocess.DEVNULL)

    def stop(self):
        self._as_postgres(f"{self.bin}/pg_ctl -D {self.root}/data -m fast stop")
