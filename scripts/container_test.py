"""The container walk of scripts/container-test.sh (run with the interop suite's Python).

Part 1, SQLite on a volume: `serve --demo` in better-i18n:local behind a published loopback
port; sign in to the dashboard through it; stop with SIGTERM (exit 0), start again, sign in with
the same password; replace the container by a new one on the same volume, sign in again.

Part 2, PostgreSQL (when BETTER_I18N_TEST_POSTGRES_URL names the CI cluster): two containers of
the image on the host network with distinct ports start together on one fresh database; a grant
approved through A is used on B, revoked in A's dashboard, and B refuses its token within a second.
"""
import base64
import hashlib
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlparse, urlsplit, urlunsplit

import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "interop"))
from browser import Browser, parse  # noqa: E402

PODMAN = os.environ.get("PODMAN", "podman").split()
IMAGE = os.environ.get("IMAGE", "better-i18n:local")
PREFIX = f"bi-ct-{os.getpid()}"
created = []  # containers and volumes to remove at the end


def podman(*args, check=True):
    result = subprocess.run([*PODMAN, *args], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"podman {' '.join(args)}: {result.returncode}\n{result.stdout}{result.stderr}")
    return result.stdout.strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base, name, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        state = podman("inspect", "-f", "{{.State.Status}}", name)
        if state in ("exited", "stopped"):
            break
        time.sleep(0.05)
    raise RuntimeError(f"{name} did not become healthy:\n" + podman("logs", name, check=False))


def stop_cleanly(name):
    """SIGTERM (the image's STOPSIGNAL) and a generous grace period: exit status must be 0."""
    started = time.time()
    podman("stop", "-t", "30", name)
    code = podman("inspect", "-f", "{{.State.ExitCode}}", name)
    assert code == "0", f"{name} exited {code} on SIGTERM:\n" + podman("logs", name, check=False)
    print(f"  {name}: SIGTERM -> exit 0 in {time.time() - started:.1f} s")


def sign_in(base, password, email="demo@example.com"):
    browser = Browser(base, email=email, password=password)
    location = browser.sign_in("/")
    page = browser.session.get(base + location)
    assert page.status_code == 200, f"dashboard after sign-in: {page.status_code}"
    return browser, page.text


def part_sqlite():
    print("== container on SQLite: serve --demo on a volume, published on a loopback port")
    volume = PREFIX + "-data"
    podman("volume", "create", volume)
    created.append(("volume", volume))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    name = PREFIX + "-sqlite"
    started = time.time()
    podman("run", "-d", "--name", name, "-v", f"{volume}:/data", "-p", f"127.0.0.1:{port}:8080",
           "-e", f"BETTER_I18N_PUBLIC_URL={base}", "-e", "BETTER_I18N_BCRYPT_COST=4", IMAGE, "serve", "--demo")
    created.insert(0, ("container", name))
    wait_healthy(base, name)
    print(f"  cold start on an empty volume (podman run to /healthz 200): {time.time() - started:.2f} s")
    logs = podman("logs", name)
    password = re.search(r"Password:\s+(\S+)", logs).group(1)
    _, page = sign_in(base, password)
    assert "acme" in page or "web-app" in page, "the demo organization is on the dashboard"
    health = podman("healthcheck", "run", name, check=False)
    state = podman("inspect", "-f", "{{.State.Health.Status}}", name, check=False)
    assert state == "healthy", f"HEALTHCHECK: {state} {health}"
    print("  signed in through the published port; HEALTHCHECK healthy")

    stop_cleanly(name)
    started = time.time()
    podman("start", name)
    wait_healthy(base, name)
    print(f"  restart on the existing volume: {time.time() - started:.2f} s to /healthz 200")
    sign_in(base, password)
    assert podman("logs", name).count("demo data seeded") == 1, "a second start seeds nothing"
    stop_cleanly(name)

    podman("rm", "-v", name)
    created.remove(("container", name))
    name = PREFIX + "-sqlite-2"
    podman("run", "-d", "--name", name, "-v", f"{volume}:/data", "-p", f"127.0.0.1:{port}:8080",
           "-e", f"BETTER_I18N_PUBLIC_URL={base}", "-e", "BETTER_I18N_BCRYPT_COST=4", IMAGE, "serve", "--demo")
    created.insert(0, ("container", name))
    wait_healthy(base, name)
    sign_in(base, password)
    assert "Password:" not in podman("logs", name), "a non-empty database prints no password"
    print("  a new container on the same volume finds the data (same sign-in)")
    stop_cleanly(name)


def fresh_database(url):
    """A database of its own in the CI cluster, so the storage tests' tables do not matter."""
    database = PREFIX.replace("-", "_")
    parts = urlsplit(url)
    subprocess.run(["psql", "-q", "-h", parts.hostname, "-p", str(parts.port or 5432), "-U", parts.username or "postgres",
                    "-d", parts.path.lstrip("/") or "postgres", "-c", f"CREATE DATABASE {database}"], check=True)
    return urlunsplit(parts._replace(path="/" + database))


def pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def part_postgres(url):
    print("== two containers on one PostgreSQL (host network, distinct ports)")
    database = fresh_database(url)
    # Both instances (and admin) share the key that seals webhook signing secrets.
    env = ["-e", f"BETTER_I18N_DATABASE_URL={database}", "-e", "BETTER_I18N_BCRYPT_COST=4",
           "-e", "BETTER_I18N_SECRET_KEY=" + "5a" * 32]

    def admin(*args):
        import json
        out = podman("run", "--rm", "--network", "host", *env, IMAGE, "admin", *args, "--json")
        return json.loads(out.splitlines()[-1])

    ports, bases, names = [free_port(), free_port()], [], []
    for letter, port in zip("ab", ports):
        base = f"http://127.0.0.1:{port}"
        name = f"{PREFIX}-pg-{letter}"
        podman("run", "-d", "--name", name, "--network", "host", *env, "-e", "BETTER_I18N_HOST=127.0.0.1",
               "-e", f"BETTER_I18N_PORT={port}", "-e", f"BETTER_I18N_PUBLIC_URL={base}", IMAGE, "serve")
        created.insert(0, ("container", name))
        bases.append(base)
        names.append(name)
    for base, name in zip(bases, names):  # both started at once: migrations must not collide
        wait_healthy(base, name)
    a, b = bases
    password = "container walk password 123"
    admin("create-user", "--email", "owner@example.com", "--name", "Owner", "--password", password)
    admin("create-org", "--slug", "acme", "--name", "Acme", "--owner", "owner@example.com")
    client = admin("create-client", "--name", "Container Walk", "--type", "web",
                   "--redirect-uri", "https://partner.example.com/callback")

    browser = Browser(a, email="owner@example.com", password=password)
    verifier, challenge = pkce()
    query = {"response_type": "code", "client_id": client["client_id"], "redirect_uri": "https://partner.example.com/callback",
             "scope": "org:read", "state": "walk", "code_challenge": challenge, "code_challenge_method": "S256"}
    callback = browser.consent(a + "/api/auth/mcp/authorize?" + requests.compat.urlencode(query))
    code = parse_qs(urlparse(callback).query)["code"][0]
    token = requests.post(a + "/api/auth/mcp/token", auth=(client["client_id"], client["client_secret"]), data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": "https://partner.example.com/callback",
        "code_verifier": verifier}).json()
    bearer = {"Authorization": "Bearer " + token["access_token"]}
    assert requests.get(b + "/api/oauth-client/me", headers=bearer).status_code == 200, "B accepts A's token"

    page = browser.session.get(a + "/settings/connected-apps").text

    csrf = re.search(r'action="/settings/connected-apps/' + re.escape(token["grant_id"]) +
                     r'/revoke"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)"', page).group(1)
    revoke = browser.session.post(f"{a}/settings/connected-apps/{token['grant_id']}/revoke",
                                  data={"csrf_token": csrf}, allow_redirects=False)
    assert revoke.status_code == 303, f"revoke through A: {revoke.status_code}"
    revoked_at = time.monotonic()
    while True:
        status = requests.get(b + "/api/oauth-client/me", headers=bearer).status_code
        elapsed = time.monotonic() - revoked_at
        if status in (401, 410):  # 410 grant_revoked (SPEC §6.1)
            break
        assert elapsed < 1.0, f"B still accepts the revoked grant's token after {elapsed:.2f} s"
        time.sleep(0.02)
    assert elapsed < 1.0, f"B refused only after {elapsed:.2f} s"
    assert requests.get(a + "/api/oauth-client/me", headers=bearer).status_code in (401, 410), "A refuses it too"
    print(f"  grant revoked through A; B refused its token ({status}) after {elapsed:.2f} s")
    for name in names:
        stop_cleanly(name)


def main():
    try:
        part_sqlite()
        url = os.environ.get("BETTER_I18N_TEST_POSTGRES_URL")
        if url:
            part_postgres(url)
        else:
            print("== BETTER_I18N_TEST_POSTGRES_URL not set: the two-container PostgreSQL part is skipped")
    finally:
        for kind, name in created:
            if kind == "container":
                podman("rm", "-f", "-v", "-t", "0", name, check=False)
            else:
                podman("volume", "rm", "-f", name, check=False)


if __name__ == "__main__":
    main()
