"""The MCP server (SPEC §9) driven by the official MCP Python SDK over both transports:
`stdio_client` launching `better-i18n mcp`, and `streamable_http_client` against `{api}/mcp`.
Every tool's happy path, the refusals (missing scope, revoked grant, expired token, bad
arguments) as tool errors naming the REST error code, and the stdio start-up checks."""
import asyncio
import contextlib
import os
import re
import subprocess
import time

import httpx2 as httpx
import pytest
import requests
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

from conftest import BINARY, Server
from tokens import Installation

ALL = ["org:read", "projects:read", "projects:write", "keys:read", "keys:write",
       "translations:read", "translations:write", "translations:publish"]
CONTENT_TOOLS = {"listContentModels", "getContentModel", "createContentModel", "addContentField", "listContentEntries",
                 "getContentEntry", "createContentEntry", "updateContentEntry", "publishContentEntry",
                 "unpublishContentEntry", "deleteContentEntry"}
TOOLS = CONTENT_TOOLS | {"listProjects", "getProject", "listKeys", "createKeys", "deleteKeys", "updateKeys", "setTranslations",
         "getTranslations", "getPendingChanges", "publishTranslations", "addLanguages", "exportTranslations",
         "importTranslations"}


@contextlib.asynccontextmanager
async def connect(server, transport, token):
    if transport == "stdio":
        params = StdioServerParameters(command=BINARY, args=["mcp"],
                                       env={"BETTER_I18N_API_KEY": token, "BETTER_I18N_API_URL": server.base})
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session
    else:
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
            async with streamable_http_client(server.base + "/mcp", http_client=client) as (read, write):
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    yield session


def text(result):
    return "\n".join(part.text for part in result.content)


def ok(result):
    assert not result.is_error, text(result)
    return text(result)


def refused(result, *fragments):
    assert result.is_error, text(result)
    for fragment in fragments:
        assert fragment in text(result), text(result)
    return text(result)


def initialize_over_http(server, token):
    """A bare `initialize` POST to `/mcp`, to read the endpoint's own answer."""
    return requests.post(server.base + "/mcp", headers={"Authorization": "Bearer " + token,
                         "Content-Type": "application/json", "Accept": "application/json, text/event-stream"},
                         json={"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}})


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 120))


@pytest.fixture(params=["stdio", "http"])
def transport(request):
    return request.param


def test_every_tool_works_with_a_suitably_scoped_token(server, transport):
    installation = Installation(server, ALL)
    prefix = f"mcp_{transport}"

    async def scenario():
        async with connect(server, transport, installation.token) as session:
            tools = {tool.name: tool for tool in (await session.list_tools()).tools}
            assert set(tools) == TOOLS
            for name in ["listProjects", "getProject", "listKeys", "getTranslations", "getPendingChanges"]:
                assert tools[name].annotations.read_only_hint is True, name
            for name in ["deleteKeys", "publishTranslations"]:
                assert tools[name].annotations.destructive_hint is True, name
            assert tools["createKeys"].input_schema["required"] == ["project", "keys"]
            assert tools["createKeys"].input_schema["properties"]["keys"]["maxItems"] == 1000

            listed = ok(await session.call_tool("listProjects", {}))
            project = re.search(r"(prj_\w+) acme/web ", listed).group(1)
            assert "acme/web" in ok(await session.call_tool("getProject", {"project": project}))
            assert project in ok(await session.call_tool("getProject", {"project": "acme/web"}))

            created = ok(await session.call_tool("createKeys", {"project": "acme/web", "keys": [
                {"name": f"{prefix}.title", "translations": {"en": "Title"}},
                {"name": f"{prefix}.items", "namespace": "shop", "description": "Item count",
                 "translations": {"en": "{count, plural, one {# item} other {# items}}"}},
            ]}))
            assert created.startswith("Created 2"), created
            keys = ok(await session.call_tool("listKeys", {"project": project, "search": prefix}))
            title_id = re.search(rf"(key_\w+) default:{prefix}\.title", keys).group(1)
            items_id = re.search(rf"(key_\w+) shop:{prefix}\.items", keys).group(1)

            assert "Saved 1" in ok(await session.call_tool("setTranslations", {"project": project, "translations": [
                {"key": f"{prefix}.title", "namespace": "default", "language": "de", "value": "Titel"}]}))
            assert "Updated 2 value(s) of 1 key(s)" in ok(await session.call_tool("updateKeys", {"project": project, "keys": [
                {"key_id": items_id, "translations": {"de": "{count, plural, one {# Ding} other {# Dinge}}",
                                                      "fr": "{count, plural, one {# article} other {# articles}}"}}]}))
            values = ok(await session.call_tool("getTranslations", {"project": project, "languages": ["de"],
                                                                     "keys": [f"{prefix}.title", f"{prefix}.items"]}))
            assert '"Titel"' in values and "Dinge" in values, values
            pending = ok(await session.call_tool("getPendingChanges", {"project": project}))
            assert f"{prefix}.title" in pending and f"shop:{prefix}.items" in pending, pending

            published = ok(await session.call_tool("publishTranslations", {"project": project, "languages": ["de", "en"]}))
            assert published.startswith("Published release"), published
            cdn = requests.get(server.base + "/cdn/acme/web/de.json")
            assert cdn.status_code == 200 and "Titel" in cdn.text

            language = {"stdio": "it", "http": "es"}[transport]
            assert "Added 1" in ok(await session.call_tool("addLanguages", {"project": project, "languages": [language]}))
            refused(await session.call_tool("addLanguages", {"project": project, "languages": [language]}), "conflict")

            assert "Deleted 1" in ok(await session.call_tool("deleteKeys", {"project": project, "key_ids": [title_id]}))
            assert f"{prefix}.title" not in ok(await session.call_tool("listKeys", {"project": project, "search": prefix}))

    run(scenario())


def test_scopes_organizations_and_bad_arguments_are_tool_errors(server, transport):
    without_publish = Installation(server, [s for s in ALL if s != "translations:publish"])

    async def scenario():
        async with connect(server, transport, without_publish.token) as session:
            refused(await session.call_tool("publishTranslations", {"project": "acme/web"}),
                    "missing_scope", "translations:publish")
            refused(await session.call_tool("getProject", {}), "invalid_arguments", "project")
            refused(await session.call_tool("getProject", {"project": "acme/nothing"}), "not_found")
            refused(await session.call_tool("getProject", {"project": "other/web"}), "wrong_organization")
            refused(await session.call_tool("getProject", {"project": "prj_" + "A" * 20}), "not_found")
            refused(await session.call_tool("deleteKeys", {"project": "acme/web", "key_ids": ["key_" + "A" * 20]}),
                    "validation_failed", "key_ids[0]")
            too_many = [{"name": f"bulk.k{i}"} for i in range(1001)]
            refused(await session.call_tool("createKeys", {"project": "acme/web", "keys": too_many}), "1000")
            refused(await session.call_tool("setTranslations", {"project": "acme/web", "translations": [
                {"key": "nope", "namespace": "default", "language": "de", "value": "{broken"}]}), "validation_failed")
            refused(await session.call_tool("createKeys", {"project": "acme/web", "keys": "not a list"}), "invalid_arguments")
            refused(await session.call_tool("noSuchTool", {}), "unknown_tool")
            # The server is still there and answering.
            assert "acme/web" in ok(await session.call_tool("listProjects", {}))

    run(scenario())


def test_a_revoked_grant_is_refused(server, transport):
    installation = Installation(server, ALL)

    async def scenario():
        async with connect(server, transport, installation.token) as session:
            assert "acme/web" in ok(await session.call_tool("listProjects", {}))
            installation.uninstall()
            if transport == "stdio":
                refused(await session.call_tool("listProjects", {}), "grant_revoked")
            else:
                with pytest.raises(Exception):
                    await asyncio.wait_for(session.call_tool("listProjects", {}), 30)

    run(scenario())
    # Over HTTP, the endpoint itself refuses the revoked grant's token, naming it.
    response = initialize_over_http(server, installation.token)
    assert response.status_code == 401
    assert response.json()["error"] == "grant_revoked"
    assert "resource_metadata=" in response.headers["WWW-Authenticate"]


@pytest.fixture(scope="module")
def short_lived(server):
    """A second instance on the same database whose installation tokens live one second."""
    other = Server(database=server.database, extra_args=["--installation-token-ttl", "1"])
    other.start()
    yield other
    other.stop()


def test_an_expired_token_is_refused(server, short_lived, transport):
    installation = Installation(server, ALL)
    expired = installation.mint(short_lived.base)
    time.sleep(1.5)  # real time: a separate server process issued it

    if transport == "stdio":
        async def scenario():
            async with connect(server, transport, expired) as session:
                refused(await session.call_tool("listProjects", {}), "invalid_token")
        run(scenario())
    else:
        response = initialize_over_http(server, expired)
        assert response.status_code == 401
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_http_endpoint_without_a_token_points_at_the_resource_metadata(server):
    response = requests.post(server.base + "/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == \
        f'Bearer resource_metadata="{server.base}/.well-known/oauth-protected-resource/mcp"'
    metadata = requests.get(server.base + "/.well-known/oauth-protected-resource/mcp").json()
    assert metadata["resource"] == server.base + "/mcp"
    assert metadata["authorization_servers"] == [server.base]


@pytest.mark.parametrize("key, named", [
    (None, "not set"),
    ("", "not set"),
    ("hello", "not a Better i18n token"),
    ("bi_pub_" + "a" * 38, "checksum"),
])
def test_stdio_refuses_to_start_without_an_installation_token(key, named):
    env = {k: v for k, v in os.environ.items() if k != "BETTER_I18N_API_KEY"}
    if key is not None:
        env["BETTER_I18N_API_KEY"] = key
    result = subprocess.run([BINARY, "mcp"], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0], result.stderr


def well_formed(prefix):
    """A token of the given kind with a valid checksum (SPEC §3), as `token check` accepts it."""
    import secrets
    import zlib
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    body = prefix + "".join(secrets.choice(alphabet) for _ in range(32))
    crc, digits = zlib.crc32(body.encode()), ""
    for _ in range(6):
        crc, digit = divmod(crc, 62)
        digits = alphabet[digit] + digits
    return body + digits


def test_stdio_names_a_public_key_or_an_access_token(server):
    assert subprocess.run([BINARY, "token", "check", well_formed("bi_pub_")], capture_output=True).returncode == 0
    installation = Installation(server, ["org:read", "projects:read"])
    for key, named in [(installation.access_token, "OAuth access token (bi_at_)"),
                       (well_formed("bi_pub_"), "public Content API key (bi_pub_)"),
                       (well_formed("bi_rt_"), "not an installation token")]:
        result = subprocess.run([BINARY, "mcp"], env={**os.environ, "BETTER_I18N_API_KEY": key},
                                stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
        assert result.returncode != 0, key[:8]
        assert len(result.stderr.strip().splitlines()) == 1 and named in result.stderr, result.stderr
