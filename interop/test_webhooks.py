"""Events and webhooks against a live server, checked by a receiver that verifies every
delivery with the `standardwebhooks` package (the reference Python implementation of the
Standard Webhooks specification), not with our own code.

One server with `--webhook-allow-http --webhook-allow-private` (the receiver is on loopback):
organization webhooks from `admin create-webhook`, an app webhook from `admin create-client
--webhook-url`. Asserts that each event type arrives, signatures verify (also across a secret
rotation on the dashboard), a failing receiver gets retries with the same `webhook-id`, the app
receives only what its grant's scopes and projects allow and nothing after `grant.revoked`, and
a server killed with `kill -9` while an attempt is in flight delivers it after a restart.
"""
import json
import re
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from standardwebhooks.webhooks import Webhook

from browser import Browser, parse
from conftest import PASSWORD, Server, free_port
from tokens import Installation

API = "/api/oauth-client/v1/projects"


class Receiver:
    """Records every POST per path; each is verified with every secret given for its path."""

    def __init__(self):
        self.lock = threading.Lock()
        self.deliveries = []          # dicts: path, headers, body, event, verified_with
        self.secrets = {}             # path -> list of whsec_ secrets that must each verify
        self.answers = {}             # path -> list of behaviours, consumed one per request
        self.port = free_port()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver.lock:
                    secrets = list(receiver.secrets.get(self.path, []))
                    queue = receiver.answers.get(self.path, [])
                    behaviour = queue.pop(0) if queue else 200
                verified = []
                for secret in secrets:
                    # Raises on a bad signature or timestamp; a failure here fails the test below.
                    Webhook(secret).verify(body, headers)
                    verified.append(secret)
                record = {"path": self.path, "headers": headers, "event": json.loads(body), "verified_with": verified,
                          "answered": behaviour}
                with receiver.lock:
                    receiver.deliveries.append(record)
                if isinstance(behaviour, tuple):      # ("hang", seconds)
                    time.sleep(behaviour[1])
                    behaviour = 200
                self.send_response(behaviour)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.http.daemon_threads = True
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def of(self, path, type_=None):
        with self.lock:
            return [d for d in self.deliveries if d["path"] == path and (type_ is None or d["event"]["type"] == type_)]

    def wait(self, path, type_, count=1, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if len(self.of(path, type_)) >= count:
                return self.of(path, type_)
            time.sleep(0.05)
        raise AssertionError(f"{path} got {len(self.of(path, type_))} {type_} in {timeout}s; all: "
                             f"{[(d['path'], d['event']['type']) for d in self.deliveries]}")


@pytest.fixture(scope="module")
def world():
    receiver = Receiver()
    server = Server(extra_args=["--webhook-allow-http", "--webhook-allow-private"])
    server.admin("create-user", "--email", "owner@example.com", "--name", "Owner", "--password", PASSWORD)
    server.admin("create-org", "--slug", "acme", "--name", "Acme", "--owner", "owner@example.com")
    web = server.admin("create-project", "--org", "acme", "--slug", "web", "--name", "Web",
                       "--source-language", "en", "--languages", "de")
    mobile = server.admin("create-project", "--org", "acme", "--slug", "mobile", "--name", "Mobile",
                          "--source-language", "en", "--languages", "de")
    app = server.admin("create-client", "--name", "Hooked App", "--type", "web", "--owner", "owner@example.com",
                       "--redirect-uri", "https://partner.example.com/callback", "--webhook-url", receiver.url("/app"))
    writer = server.admin("create-client", "--name", "Writer", "--type", "web",
                          "--redirect-uri", "https://partner.example.com/callback")
    org = server.admin("create-webhook", "--org", "acme", "--url", receiver.url("/org"))
    failing = server.admin("create-webhook", "--org", "acme", "--url", receiver.url("/fail"), "--events", "keys.deleted")
    slow = server.admin("create-webhook", "--org", "acme", "--url", receiver.url("/slow"), "--events", "language.added")
    receiver.secrets = {"/app": [app["webhook_secret"]], "/org": [org["secret"]],
                        "/fail": [failing["secret"]], "/slow": [slow["secret"]]}
    server.start()
    yield dict(server=server, receiver=receiver, web=web, mobile=mobile, app=app, writer=writer, org=org)
    server.stop()
    receiver.http.shutdown()


def call(server, method, path, token, body=None, expect=(200, 201)):
    response = requests.request(method, server.base + path, json=body, headers={"Authorization": "Bearer " + token})
    assert response.status_code in expect, response.text
    return response.json() if response.content else None


def test_webhooks_end_to_end(world):
    server, receiver = world["server"], world["receiver"]
    web, mobile = world["web"]["id"], world["mobile"]["id"]
    # The app may read keys of the web project only: no translations:read, no projects:read.
    app_scopes = ["keys:read", "keys:write", "translations:write", "translations:publish", "projects:write"]
    app = Installation(server, app_scopes, client=world["app"], project_ids=[web])
    receiver.wait("/app", "grant.created")
    writer = Installation(server, ["keys:read", "keys:write", "translations:write", "projects:write", "content:write", "content:publish"],
                          client=world["writer"])

    created = call(server, "POST", f"{API}/{web}/keys", app.token,
                   {"keys": [{"name": "title", "translations": {"en": "Title"}}, {"name": "gone"}]})["created"]
    call(server, "PUT", f"{API}/{web}/translations", app.token,
         {"translations": [{"key_id": created[0]["id"], "language": "de", "value": "Titel"}]})
    receiver.answers["/fail"] = [500]                  # the first attempt fails, the retry succeeds
    call(server, "DELETE", f"{API}/{web}/keys", app.token, {"key_ids": [created[1]["id"]]})
    call(server, "POST", f"{API}/{web}/publish", app.token, {})
    call(server, "POST", f"{API}/{mobile}/keys", writer.token, {"keys": [{"name": "elsewhere"}]})
    # Content: an entry created, updated, published, unpublished and deleted.
    call(server, "POST", f"{API}/{mobile}/content/models", writer.token, {"slug": "blog", "display_name": "Blog"})
    entry = call(server, "POST", f"{API}/{mobile}/content/models/blog/entries", writer.token,
                 {"slug": "hello", "translations": {"en": {"title": "Hello"}}})["id"]
    call(server, "PATCH", f"{API}/{mobile}/content/entries/{entry}", writer.token, {"translations": {"de": {"title": "Hallo"}}})
    call(server, "POST", f"{API}/{mobile}/content/entries/{entry}/publish", writer.token, {})
    call(server, "POST", f"{API}/{mobile}/content/entries/{entry}/unpublish", writer.token, {"languages": ["de"]})
    call(server, "DELETE", f"{API}/{mobile}/content/entries/{entry}", writer.token, None, expect=(204,))

    for type_ in ["keys.created", "translations.updated", "keys.deleted", "release.published", "content.entry.created",
                  "content.entry.updated", "content.entry.published", "content.entry.unpublished", "content.entry.deleted"]:
        event = receiver.wait("/org", type_)[0]
        assert event["headers"]["x-better-i18n-event"] == type_
        assert event["headers"]["webhook-id"] == event["event"]["id"]
        assert event["event"]["organization_id"] and event["event"]["created_at"]
    published = receiver.of("/org", "release.published")[0]["event"]["data"]
    assert published["version"] == 1 and published["manifest_url"].endswith("/acme/web/v1/manifest.json")
    assert len(receiver.wait("/org", "keys.created", 2)) == 2        # web and mobile
    unpublished = receiver.of("/org", "content.entry.unpublished")[0]["event"]
    assert unpublished["project_id"] == mobile
    assert unpublished["data"]["entry_id"] == entry and unpublished["data"]["languages"] == ["de"]
    assert "Hallo" not in json.dumps(unpublished), "events name entries, they do not carry values"

    # The app: keys of its own project; not translations or releases (no translations:read),
    # not the mobile project's keys.
    receiver.wait("/app", "keys.created")
    receiver.wait("/app", "keys.deleted")
    time.sleep(1.0)
    app_types = [d["event"]["type"] for d in receiver.of("/app")]
    assert "translations.updated" not in app_types and "release.published" not in app_types, app_types
    assert not any(t.startswith("content.") for t in app_types), app_types   # neither content:read nor the project
    assert all(d["event"]["project_id"] == web for d in receiver.of("/app", "keys.created"))

    # kill -9 while an attempt is in flight: after a restart it is made again (same webhook-id).
    receiver.answers["/slow"] = [("hang", 8)]
    call(server, "POST", f"{API}/{mobile}/languages", writer.token, {"code": "fr"})
    first = receiver.wait("/slow", "language.added")[0]
    server.process.send_signal(signal.SIGKILL)
    server.process.wait()
    server.start()

    # Rotation on the dashboard: later deliveries verify with the old and the new secret.
    browser = Browser(server.base)
    browser.sign_in()
    hook_id = world["org"]["id"]
    page = browser.session.get(f"{server.base}/settings/webhooks/{hook_id}")
    csrf = dict(parse(page.text, "none").fields).get("csrf_token") or re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    rotated = browser.session.post(f"{server.base}/settings/webhooks/{hook_id}/rotate", data={"csrf_token": csrf})
    new_secret = re.search(r"(whsec_[A-Za-z0-9+/=]+)", rotated.text).group(1)
    receiver.secrets["/org"] = [world["org"]["secret"], new_secret]
    tested = browser.session.post(f"{server.base}/settings/webhooks/{hook_id}/test", data={"csrf_token": csrf},
                                  allow_redirects=False)
    assert tested.status_code == 303
    ping = receiver.wait("/org", "ping")[0]
    assert ping["verified_with"] == [world["org"]["secret"], new_secret]
    assert len(ping["headers"]["webhook-signature"].split(" ")) == 2

    # grant.updated: the app's grant narrowed to fewer scopes.
    Installation(server, ["keys:read", "keys:write"], client=world["app"], project_ids=[web])
    updated = receiver.wait("/app", "grant.updated")[0]["event"]["data"]
    assert "translations:write" in updated["old"]["scopes"] and "translations:write" not in updated["new"]["scopes"]

    # grant.tokens_revoked: RFC 7009 revocation of a refresh token; the grant stays.
    revoked = requests.post(server.base + "/api/auth/mcp/revoke", data={"token": app.refresh_token},
                            auth=(world["app"]["client_id"], world["app"]["client_secret"]))
    assert revoked.status_code == 200
    assert receiver.wait("/app", "grant.tokens_revoked")[0]["event"]["data"]["reason"] == "revocation"

    # grant.revoked by the operator, then nothing more for the app.
    server.admin("revoke-grant", app.grant_id)
    assert receiver.wait("/app", "grant.revoked")[0]["event"]["data"]["reason"] == "admin"
    call(server, "POST", f"{API}/{web}/keys", writer.token, {"keys": [{"name": "after"}]})
    receiver.wait("/org", "keys.created", 3)
    time.sleep(1.5)
    after_revoke = receiver.of("/app")
    last = max(i for i, d in enumerate(after_revoke) if d["event"]["type"] == "grant.revoked")
    assert last == len(after_revoke) - 1, [d["event"]["type"] for d in after_revoke[last:]]

    # Retries (about a minute later, ±20 %) keep the webhook-id: the failed keys.deleted and
    # the attempt cut off by kill -9 (its claim expires after 60 s).
    retried = receiver.wait("/fail", "keys.deleted", 2, timeout=100)
    assert retried[0]["headers"]["webhook-id"] == retried[1]["headers"]["webhook-id"]
    assert retried[0]["headers"]["webhook-timestamp"] != retried[1]["headers"]["webhook-timestamp"]
    again = receiver.wait("/slow", "language.added", 2, timeout=100)
    assert again[1]["headers"]["webhook-id"] == first["headers"]["webhook-id"]

    # Every delivery of every path verified with standardwebhooks.
    for delivery in receiver.deliveries:
        assert delivery["verified_with"], delivery["path"]
    seen = {d["event"]["type"] for d in receiver.deliveries}
    assert {"release.published", "translations.updated", "keys.created", "keys.deleted", "language.added",
            "grant.created", "grant.updated", "grant.revoked", "grant.tokens_revoked", "ping", "content.entry.created",
            "content.entry.updated", "content.entry.published", "content.entry.unpublished", "content.entry.deleted"} <= seen
