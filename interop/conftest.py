"""Starts a real better-i18n server on a fresh SQLite database for the interop suite.

The binary is BETTER_I18N_BIN (default .build/debug/better-i18n, built by .ci/run). Data is
seeded through the real `admin` commands; the consent step is scripted as a browser would do
it (browser.py).
"""
import json
import os
import socket
import subprocess
import tempfile
import time

import pytest
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.environ.get("BETTER_I18N_BIN", os.path.join(ROOT, ".build", "debug", "better-i18n"))
PASSWORD = "interop password 123"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, database=None, extra_args=()):
        self.dir = tempfile.mkdtemp(prefix="better-i18n-interop-")
        self.database = database or "sqlite://" + os.path.join(self.dir, "db.sqlite")
        self.extra_args = list(extra_args)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(self.dir, "server.log"), "w+")
        self.process = None

    def admin(self, *args):
        out = subprocess.run(
            [BINARY, "admin", *args, "--database-url", self.database, "--bcrypt-cost", "4", "--json"],
            check=True, capture_output=True, text=True,
        )
        return json.loads(out.stdout)

    def start(self):
        self.process = subprocess.Popen(
            [BINARY, "serve", "--port", str(self.port), "--database-url", self.database, "--bcrypt-cost", "4",
             *self.extra_args],
            stdout=self.log, stderr=self.log,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if requests.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not start: " + self.logs())

    def logs(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=15)


@pytest.fixture(scope="session")
def server():
    server = Server()
    server.admin("create-user", "--email", "owner@example.com", "--name", "Owner", "--password", PASSWORD)
    server.admin("create-org", "--slug", "acme", "--name", "Acme", "--owner", "owner@example.com")
    server.admin("create-project", "--org", "acme", "--slug", "web", "--name", "Web",
                 "--source-language", "en", "--languages", "de,fr")
    web = server.admin("create-client", "--name", "Authlib Web", "--type", "web",
                       "--redirect-uri", "https://partner.example.com/callback")
    native = server.admin("create-client", "--name", "Authlib Native", "--type", "native",
                          "--redirect-uri", "http://127.0.0.1/callback")
    server.web = web
    server.native = native
    server.start()
    yield server
    server.stop()
    assert server.process.returncode == 0, "SIGTERM must stop the server cleanly (exit 0)"
