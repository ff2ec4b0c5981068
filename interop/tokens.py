"""Installation tokens through the real OAuth flow: consent with chosen scopes, code exchange
with the confidential client, then a mint with the access token (SPEC §5, §6.1)."""
import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlparse

import requests

from browser import Browser

REDIRECT = "https://partner.example.com/callback"


class Installation:
    def __init__(self, server, scopes, client=None, project_ids=None):
        client = client or server.web
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        url = server.base + "/api/auth/mcp/authorize?" + urlencode({
            "response_type": "code", "client_id": client["client_id"], "redirect_uri": REDIRECT, "state": "s",
            "code_challenge": challenge, "code_challenge_method": "S256", "scope": " ".join(scopes)})
        location = Browser(server.base).consent(url, scopes=scopes, project_ids=project_ids)
        code = parse_qs(urlparse(location).query)["code"][0]
        tokens = requests.post(server.base + "/api/auth/mcp/token",
                               auth=(client["client_id"], client["client_secret"]),
                               data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
                                     "code_verifier": verifier}).json()
        self.server = server
        self.client = client
        self.access_token = tokens["access_token"]
        self.refresh_token = tokens["refresh_token"]
        self.grant_id = tokens["grant_id"]
        self.token = self.mint(server.base)

    def mint(self, base):
        response = requests.post(f"{base}/api/oauth-client/installations/{self.grant_id}/tokens",
                                 headers={"Authorization": "Bearer " + self.access_token})
        assert response.status_code == 201, response.text
        return response.json()["installation_token"]

    def uninstall(self):
        response = requests.delete(f"{self.server.base}/api/oauth-client/installations/{self.grant_id}",
                                   headers={"Authorization": "Bearer " + self.access_token})
        assert response.status_code == 204, response.text
