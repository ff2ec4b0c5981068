"""The Content CMS and the public Content API (SPEC §10) from outside: a website reading
published content with plain HTTP — list, single entry, language fallback, expand, ETag
revalidation, CORS — with a `bi_pub_` key made by `admin create-public-key`, and the content
MCP tools called through the official MCP Python SDK over both transports."""
import asyncio
import contextlib
import secrets
import time

import httpx2 as httpx
import pytest
import requests
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

from conftest import BINARY
from tokens import Installation

CONTENT = ["org:read", "projects:read", "content:read", "content:write", "content:publish"]


class Blog:
    """A blog model with an authors model, written through the partner REST API."""

    def __init__(self, server):
        self.server = server
        self.installation = Installation(server, CONTENT)
        self.auth = {"Authorization": "Bearer " + self.installation.token}
        projects = requests.get(f"{server.base}/api/oauth-client/organizations/"
                                f"{self.me()['grant']['organization_id']}/projects", headers=self.auth).json()["projects"]
        self.project = next(p["id"] for p in projects if p["slug"] == "web")
        self.rest = f"{server.base}/api/oauth-client/v1/projects/{self.project}/content"
        suffix = secrets.token_hex(3)
        self.authors, self.posts = f"authors-{suffix}", f"posts-{suffix}"
        self.post(f"/models", {"slug": self.authors, "include_body": False, "fields": [
            {"name": "bio", "type": "textarea", "localized": True}]})
        self.post(f"/models", {"slug": self.posts, "fields": [
            {"name": "excerpt", "type": "text", "localized": True, "required": True},
            {"name": "reading_time", "type": "number"},
            {"name": "author", "type": "relation", "target_model": self.authors}]})
        ada = self.post(f"/models/{self.authors}/entries", {
            "slug": "ada", "status": "published", "translations": {"en": {"title": "Ada", "fields": {"bio": "Wrote programs"}}}})
        self.post(f"/models/{self.posts}/entries", {
            "slug": "hello", "status": "published", "fields": {"reading_time": 3, "author": ada["id"]},
            "translations": {"en": {"title": "Hello", "body": "# Hello", "fields": {"excerpt": "First post"}},
                             "de": {"title": "Hallo", "body": "# Hallo", "fields": {"excerpt": "Erster Beitrag"}}}})
        self.post(f"/models/{self.posts}/entries", {
            "slug": "english-only", "status": "published", "fields": {"reading_time": 5},
            "translations": {"en": {"title": "Only English", "fields": {"excerpt": "No German yet"}}}})
        self.post(f"/models/{self.posts}/entries", {
            "slug": "draft", "translations": {"en": {"title": "Secret draft", "fields": {"excerpt": "Soon"}}}})
        self.key = server.admin("create-public-key", "--org", "acme", "--project", "web", "--name", "Website")["key"]
        self.public = f"{server.base}/v1/content/acme/web/models/{self.posts}/entries"

    def me(self):
        return requests.get(f"{self.server.base}/api/oauth-client/me", headers=self.auth).json()

    def post(self, path, body):
        response = requests.post(self.rest + path, headers=self.auth, json=body)
        assert response.status_code == 201, response.text
        return response.json()


@pytest.fixture(scope="module")
def blog(server):
    return Blog(server)


def test_a_website_lists_published_entries_with_a_public_key(blog):
    response = requests.get(blog.public, headers={"x-api-key": blog.key, "Origin": "https://www.example.com"})
    assert response.status_code == 200, response.text
    page = response.json()
    assert [item["slug"] for item in page["items"]] == ["english-only", "hello"]
    assert page["total"] == 2 and page["hasMore"] is False
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "public, max-age=60, stale-while-revalidate=3600"
    assert "Set-Cookie" not in response.headers
    # requests asks for gzip and decodes it, as a browser does.
    assert response.headers.get("Content-Encoding") in ("gzip", "br")
    paged = requests.get(blog.public, params={"limit": 1, "page": 2, "sort": "title", "order": "asc"},
                         headers={"x-api-key": blog.key}).json()
    assert [item["slug"] for item in paged["items"]] == ["english-only"]


def test_a_single_entry_falls_back_to_the_source_language(blog):
    german = requests.get(blog.public + "/hello", params={"language": "de"}, headers={"x-api-key": blog.key}).json()
    assert german["title"] == "Hallo" and german["language"] == "de" and german["body"] == "# Hallo"
    assert german["excerpt"] == "Erster Beitrag" and german["reading_time"] == 3
    fallback = requests.get(blog.public + "/english-only", params={"language": "de"}, headers={"x-api-key": blog.key}).json()
    assert fallback["title"] == "Only English" and fallback["language"] == "en"
    assert requests.get(blog.public + "/draft", headers={"x-api-key": blog.key}).status_code == 404


def test_expand_resolves_relations_to_their_published_snapshot(blog):
    item = requests.get(blog.public + "/hello", params={"expand": "author"}, headers={"x-api-key": blog.key}).json()
    author = item["relations"]["author"]
    assert author["slug"] == "ada" and author["title"] == "Ada" and author["model"] == blog.authors
    assert author["bio"] == "Wrote programs"


def test_etag_revalidation_answers_304(blog):
    first = requests.get(blog.public, headers={"x-api-key": blog.key})
    etag = first.headers["ETag"]
    assert etag.startswith('"')
    again = requests.get(blog.public, headers={"x-api-key": blog.key, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    preflight = requests.options(blog.public, headers={"Origin": "https://www.example.com", "Access-Control-Request-Method": "GET",
                                                       "Access-Control-Request-Headers": "x-api-key"})
    assert preflight.status_code == 204
    assert "x-api-key" in preflight.headers["Access-Control-Allow-Headers"].lower()


def test_refusals_a_website_may_meet(blog, server):
    assert requests.get(blog.public).json()["error"] == "invalid_api_key"
    drafts = requests.get(blog.public, params={"status": "draft"}, headers={"x-api-key": blog.key})
    assert drafts.status_code == 403 and drafts.json()["error"] == "drafts_not_public"
    bad = requests.get(blog.public, params={"limit": 101}, headers={"x-api-key": blog.key})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_request"
    other = server.admin("create-public-key", "--org", "acme", "--project", "web", "--name", "Revoked")
    server.admin("revoke-public-key", other["id"])
    deadline_ok = False
    for _ in range(20):
        response = requests.get(blog.public, headers={"x-api-key": other["key"]})
        if response.status_code == 401:
            deadline_ok = True
            break
        time.sleep(0.1)
    assert deadline_ok, "a key revoked by the admin command stops working within a second or two"


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


@pytest.mark.parametrize("transport", ["stdio", "http"])
def test_the_content_tools_through_the_mcp_sdk(blog, server, transport):
    async def scenario():
        async with connect(server, transport, blog.installation.token) as session:
            tools = {tool.name for tool in (await session.list_tools()).tools}
            assert {"listContentModels", "getContentModel", "createContentModel", "addContentField", "listContentEntries",
                    "getContentEntry", "createContentEntry", "updateContentEntry", "publishContentEntry",
                    "unpublishContentEntry", "deleteContentEntry"} <= tools
            project = "acme/web"
            models = await session.call_tool("listContentModels", {"project": project})
            assert not models.is_error and blog.posts in text(models)
            slug = f"mcp-{transport}"
            bad = await session.call_tool("createContentEntry", {
                "project": project, "modelSlug": blog.posts, "slug": slug, "fields": {"reading_time": "long"},
                "translations": {"en": {"title": "T", "fields": {"excerpt": "E"}}}})
            assert bad.is_error and "validation_failed" in text(bad) and "fields.reading_time" in text(bad)
            created = await session.call_tool("createContentEntry", {
                "project": project, "modelSlug": blog.posts, "slug": slug, "fields": {"reading_time": 1},
                "translations": {"en": {"title": f"From MCP over {transport}", "fields": {"excerpt": "E"}}}})
            assert not created.is_error, text(created)
            entry_id = next(word for word in text(created).split() if word.startswith("ent_"))
            published = await session.call_tool("publishContentEntry", {"project": project, "entryId": entry_id})
            assert not published.is_error, text(published)
            got = await session.call_tool("getContentEntry", {"project": project, "entryId": entry_id})
            assert f"From MCP over {transport}" in text(got)
            listed = await session.call_tool("listContentEntries", {"project": project, "modelSlug": blog.posts, "status": "published"})
            assert entry_id in text(listed)
            deleted = await session.call_tool("deleteContentEntry", {"project": project, "entryId": entry_id})
            assert not deleted.is_error, text(deleted)
        # A token without content:write hears missing_scope, whatever its arguments. (Narrowed at the
        # mint: a second consent would narrow the grant, and with it every token of the blog.)
        minted = requests.post(f"{server.base}/api/oauth-client/installations/{blog.installation.grant_id}/tokens",
                               headers={"Authorization": "Bearer " + blog.installation.access_token},
                               json={"scopes": ["org:read", "projects:read", "content:read"]})
        assert minted.status_code == 201, minted.text
        async with connect(server, transport, minted.json()["installation_token"]) as session:
            refused = await session.call_tool("createContentEntry", {"project": "acme/web"})
            assert refused.is_error and "missing_scope" in text(refused) and "content:write" in text(refused)
    asyncio.run(asyncio.wait_for(scenario(), 120))
    # What MCP published was readable by the website until it was deleted; now it is gone.
    assert requests.get(blog.public + f"/mcp-{transport}", headers={"x-api-key": blog.key}).status_code == 404
