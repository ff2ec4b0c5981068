"""Everything through nginx with TLS, using docs/nginx/better-i18n.conf as it stands (issue 19).

Runs when BETTER_I18N_NGINX names Debian's nginx binary (.ci/run sets it). A throwaway CA and a
certificate for localhost are made with openssl; the server runs with --trusted-proxies 127.0.0.1
and an https public URL. Through the proxy: authlib's OAuth flow over https (the suite's own
test, once more), the dashboard, the partner API, a publish and the CDN, MCP over Streamable HTTP
with the official SDK, and forwarding headers a client forged are not believed.
"""
import asyncio
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time

import httpx2 as httpx
import pytest
import requests
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

import test_authlib
from browser import Browser
from conftest import ROOT, Server, free_port
from tokens import Installation

NGINX = os.environ.get("BETTER_I18N_NGINX")
pytestmark = pytest.mark.skipif(not NGINX, reason="BETTER_I18N_NGINX (an nginx binary) not set")
SITE = os.path.join(ROOT, "docs", "nginx", "better-i18n.conf")


def make_certificates(directory):
    def openssl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True)
    ca, key, csr, cert, ext = (os.path.join(directory, name) for name in ("ca.crt", "ca.key", "server.csr", "server.crt", "san.ext"))
    server_key = os.path.join(directory, "server.key")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=better-i18n proxy test CA",
            "-keyout", key, "-out", ca)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", server_key, "-out", csr)
    with open(ext, "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    openssl("x509", "-req", "-days", "2", "-in", csr, "-CA", ca, "-CAkey", key, "-CAcreateserial", "-extfile", ext, "-out", cert)
    return ca, cert, server_key


def render_site(upstream_port, https_port, http_port, cert, key):
    """docs/nginx/better-i18n.conf with this test's ports, names and certificate; each value it
    replaces must be there, so the documented file cannot drift away from what is tested."""
    with open(SITE) as f:
        text = f.read()
    replacements = [
        ("server 127.0.0.1:8080;", f"server 127.0.0.1:{upstream_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("listen [::]:443 ssl http2;", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;", ""),
        ("server_name i18n.example.com;", "server_name localhost;"),
        ("/etc/ssl/better-i18n/fullchain.pem", cert),
        ("/etc/ssl/better-i18n/privkey.pem", key),
    ]
    for old, new in replacements:
        assert old in text, f"{SITE} no longer has {old!r}"
        text = text.replace(old, new)
    for needed in ("proxy_buffering off;", "proxy_set_header X-Forwarded-For", "proxy_set_header X-Forwarded-Proto"):
        assert needed in text
    return text


class Proxied:
    """The server as a client sees it through nginx: `base` is the https origin."""

    def __init__(self, server, base, ca):
        self.server, self.base, self.ca = server, base, ca
        self.web, self.native = server.web, server.native


@pytest.fixture(scope="module")
def proxied():
    directory = tempfile.mkdtemp(prefix="better-i18n-proxy-")
    os.chmod(directory, 0o755)  # nginx's workers (nobody) write their temporary files here
    ca, cert, key = make_certificates(directory)
    https_port, http_port = free_port(), free_port()
    base = f"https://localhost:{https_port}"
    server = Server(extra_args=["--trusted-proxies", "127.0.0.1", "--public-url", base])
    server.admin("create-user", "--email", "owner@example.com", "--name", "Owner", "--password", "interop password 123")
    server.admin("create-org", "--slug", "acme", "--name", "Acme", "--owner", "owner@example.com")
    server.admin("create-project", "--org", "acme", "--slug", "web", "--name", "Web",
                 "--source-language", "en", "--languages", "de,fr")
    server.web = server.admin("create-client", "--name", "Proxied Web", "--type", "web",
                              "--redirect-uri", "https://partner.example.com/callback")
    server.native = server.admin("create-client", "--name", "Proxied Native", "--type", "native",
                                 "--redirect-uri", "http://127.0.0.1/callback")
    server.start()

    temp = os.path.join(directory, "temp")
    os.makedirs(temp)
    os.chmod(temp, 0o777)
    with open(os.path.join(directory, "site.conf"), "w") as f:
        f.write(render_site(server.port, https_port, http_port, cert, key))
    with open(os.path.join(directory, "nginx.conf"), "w") as f:
        f.write(f"""daemon off;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log;
events {{ worker_connections 256; }}
http {{
    access_log {directory}/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {directory}/site.conf;
}}
""")
    nginx = subprocess.Popen([NGINX, "-e", os.path.join(directory, "error.log"), "-c", os.path.join(directory, "nginx.conf")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.time() + 15
    while True:
        try:
            if requests.get(base + "/healthz", verify=ca, timeout=1).status_code == 200:
                break
        except requests.RequestException:
            pass
        if time.time() > deadline or nginx.poll() is not None:
            with open(os.path.join(directory, "error.log")) as f:
                raise RuntimeError("nginx did not come up: " + f.read())
        time.sleep(0.1)
    previous = os.environ.get("REQUESTS_CA_BUNDLE")
    os.environ["REQUESTS_CA_BUNDLE"] = ca  # every requests/authlib session below trusts the test CA
    try:
        yield Proxied(server, base, ca)
    finally:
        if previous is None:
            os.environ.pop("REQUESTS_CA_BUNDLE", None)
        else:
            os.environ["REQUESTS_CA_BUNDLE"] = previous
        nginx.terminate()
        nginx.wait(timeout=10)
        server.stop()
        assert server.process.returncode == 0
        shutil.rmtree(directory, ignore_errors=True)


def test_authlib_flow_over_https(proxied):
    """The suite's confidential-client flow (code, refresh, rotation, reuse detection), via https."""
    test_authlib.test_confidential_client_code_refresh_and_revocation(proxied)


def test_http_redirects_to_https(proxied):
    http_port = int(re.search(r"listen 127\.0\.0\.1:(\d+);", open(os.path.join(os.path.dirname(proxied.ca), "site.conf")).read()).group(1))
    answer = requests.get(f"http://localhost:{http_port}/login", allow_redirects=False)
    assert answer.status_code == 301
    assert answer.headers["Location"].startswith("https://localhost/login")


def test_dashboard_api_publish_and_cdn(proxied):
    browser = Browser(proxied.base)
    location = browser.sign_in("/")
    assert browser.session.get(proxied.base + location).status_code == 200

    installation = Installation(proxied, ["org:read", "projects:read", "keys:write", "translations:write",
                                          "translations:publish"])
    bearer = {"Authorization": "Bearer " + installation.token}
    api = proxied.base + "/api/oauth-client/v1"
    organizations = requests.get(proxied.base + "/api/oauth-client/organizations", headers=bearer)
    assert organizations.status_code == 200, organizations.text
    organization = organizations.json()["organizations"][0]["id"]
    projects = requests.get(f"{proxied.base}/api/oauth-client/organizations/{organization}/projects", headers=bearer)
    assert projects.status_code == 200, projects.text
    project = projects.json()["projects"][0]["id"]
    created = requests.post(f"{api}/projects/{project}/keys", headers=bearer,
                            json={"keys": [{"name": "hello", "translations": {"en": "Hello", "de": "Hallo"}}]})
    assert created.status_code in (200, 201), created.text
    published = requests.post(f"{api}/projects/{project}/publish", headers=bearer, json={})
    assert published.status_code in (200, 201), published.text

    manifest = requests.get(proxied.base + "/cdn/acme/web/manifest.json")
    assert manifest.status_code == 200, manifest.text
    direct = requests.get(proxied.server.base + "/cdn/acme/web/manifest.json")
    assert manifest.json() == direct.json()
    german = requests.get(proxied.base + "/cdn/acme/web/de/common.json")
    assert german.status_code in (200, 404)  # path layout is the CDN's business; the proxy passes it on


def test_mcp_streamable_http_through_proxy(proxied):
    installation = Installation(proxied, ["org:read", "projects:read"])
    context = ssl.create_default_context(cafile=proxied.ca)

    async def walk():
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {installation.token}"}, timeout=30,
                                     verify=context) as client:
            async with streamable_http_client(proxied.base + "/mcp", http_client=client) as (read, write):
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    tools = await session.list_tools()
                    assert "listProjects" in {tool.name for tool in tools.tools}
                    result = await session.call_tool("listProjects", {})
                    assert not result.is_error
                    assert "web" in "\n".join(part.text for part in result.content)

    asyncio.run(walk())


def test_forged_forwarding_headers_are_not_believed(proxied):
    """A client at 127.0.0.2 claims other addresses; nginx names the TCP peer, and the server
    (trusting only 127.0.0.1, the proxy) logs 127.0.0.2."""
    probe = "/forwarding-probe-" + str(os.getpid())
    port = int(proxied.base.rsplit(":", 1)[1])
    context = ssl.create_default_context(cafile=proxied.ca)
    with socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.2", 0)) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall((f"GET {probe} HTTP/1.1\r\nHost: localhost:{port}\r\n"
                         "X-Forwarded-For: 203.0.113.7\r\nForwarded: for=198.51.100.1\r\nConnection: close\r\n\r\n").encode())
            while tls.recv(65536):
                pass
    deadline = time.time() + 5
    while time.time() < deadline:
        lines = [line for line in proxied.server.logs().splitlines() if f"path={probe}" in line]
        if lines:
            break
        time.sleep(0.05)
    assert lines, "the probe reached the server"
    assert "client=127.0.0.2" in lines[0], lines[0]
