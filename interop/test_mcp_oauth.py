"""The official MCP Python SDK's OAuth client (mcp.client.auth.OAuthClientProvider) against the
live server: protected-resource discovery (RFC 9728), metadata (RFC 8414), dynamic registration
(RFC 7591), PKCE, resource indicators (RFC 8707), code exchange and refresh."""
import asyncio
import time
from urllib.parse import parse_qs, urlparse

import httpx2 as httpx
from mcp.client.auth import AuthorizationCodeResult, OAuthClientProvider, TokenStorage
from mcp.shared.auth import OAuthClientInformationFull, OAuthClientMetadata, OAuthToken

from browser import Browser


class MemoryStorage(TokenStorage):
    def __init__(self):
        self.tokens = None
        self.client_info = None
        self.token_history = []

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken):
        self.tokens = tokens
        self.token_history.append(tokens)

    async def get_client_info(self):
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull):
        self.client_info = client_info


def run(coroutine):
    return asyncio.run(coroutine)


def test_mcp_sdk_discovers_registers_authorizes_and_refreshes(server):
    storage = MemoryStorage()
    browser = Browser(server.base)
    callback = {}

    async def redirect_handler(url: str):
        location = await asyncio.to_thread(browser.consent, url)
        query = parse_qs(urlparse(location).query)
        callback["code"] = query["code"][0]
        callback["state"] = query["state"][0]
        callback["iss"] = query["iss"][0]

    async def callback_handler():
        return AuthorizationCodeResult(code=callback["code"], state=callback["state"], iss=callback.get("iss"))

    provider = OAuthClientProvider(
        server_url=server.base + "/api/oauth-client/me",
        client_metadata=OAuthClientMetadata(
            client_name="MCP SDK interop",
            redirect_uris=["http://127.0.0.1:53682/callback"],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
            token_endpoint_auth_method="none",
        ),
        storage=storage,
        redirect_handler=redirect_handler,
        callback_handler=callback_handler,
    )

    async def scenario():
        async with httpx.AsyncClient(auth=provider, timeout=30) as client:
            first = await client.get(server.base + "/api/oauth-client/me")
            assert first.status_code == 200, first.text
            assert first.json()["token"]["type"] == "access_token"
            assert storage.client_info.client_id.startswith("bic_")
            assert storage.tokens.access_token.startswith("bi_at_")
            refresh_before = storage.tokens.refresh_token
            # Pretend the access token expired: the provider must refresh before the next call.
            provider.context.token_expiry_time = time.time() - 1
            second = await client.get(server.base + "/api/oauth-client/me")
            assert second.status_code == 200, second.text
            assert storage.tokens.refresh_token != refresh_before, "refresh tokens rotate"
            assert len(storage.token_history) == 2

    run(scenario())

    # The dynamically registered app is shown as unverified on the consent screen.
    authorize = server.base + "/api/auth/mcp/authorize?" + httpx.QueryParams({
        "response_type": "code", "client_id": storage.client_info.client_id,
        "redirect_uri": "http://127.0.0.1:53682/callback", "code_challenge": "A" * 43,
        "code_challenge_method": "S256", "state": "s",
    }).__str__()
    page = browser.session.get(authorize)
    assert "Unverified app" in page.text
