"""authlib's OAuth2Session (PKCE S256) against the live server: code exchange, refresh,
rotation with reuse detection, revocation (SPEC §5.4, §5.5)."""
import secrets

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.integrations.base_client.errors import OAuthError

from browser import Browser

REDIRECT = "https://partner.example.com/callback"


def endpoints(server):
    metadata = requests.get(server.base + "/.well-known/oauth-authorization-server").json()
    assert metadata["issuer"] == server.base
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    return metadata


def authorize(server, session, metadata, **kwargs):
    verifier = secrets.token_urlsafe(48)
    url, state = session.create_authorization_url(metadata["authorization_endpoint"], code_verifier=verifier, **kwargs)
    callback = Browser(server.base).consent(url)
    assert f"state={state}" in callback
    assert "iss=" in callback
    return callback, verifier


def test_confidential_client_code_refresh_and_revocation(server):
    metadata = endpoints(server)
    session = OAuth2Session(
        server.web["client_id"], server.web["client_secret"], scope="org:read projects:read keys:read",
        redirect_uri=REDIRECT, code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic",
    )
    callback, verifier = authorize(server, session, metadata)
    token = session.fetch_token(metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    assert token["token_type"] == "Bearer"
    assert token["access_token"].startswith("bi_at_")
    assert token["refresh_token"].startswith("bi_rt_")
    assert token["grant_id"].startswith("grt_")
    assert token["scope"] == "org:read projects:read keys:read"

    me = session.get(server.base + "/api/oauth-client/me")
    assert me.status_code == 200
    assert me.json()["grant"]["id"] == token["grant_id"]

    first_refresh = token["refresh_token"]
    refreshed = session.refresh_token(metadata["token_endpoint"])
    assert refreshed["refresh_token"] != first_refresh
    assert session.get(server.base + "/api/oauth-client/me").status_code == 200

    # Reuse of the rotated token is refused and revokes the family, access token included.
    replay = OAuth2Session(server.web["client_id"], server.web["client_secret"], token_endpoint_auth_method="client_secret_basic")
    with pytest.raises(OAuthError) as reused:
        replay.refresh_token(metadata["token_endpoint"], refresh_token=first_refresh)
    assert reused.value.error == "invalid_grant"
    assert session.get(server.base + "/api/oauth-client/me").status_code == 401


def test_client_secret_post_and_revocation(server):
    metadata = endpoints(server)
    session = OAuth2Session(
        server.web["client_id"], server.web["client_secret"], scope="org:read",
        redirect_uri=REDIRECT, code_challenge_method="S256", token_endpoint_auth_method="client_secret_post",
    )
    callback, verifier = authorize(server, session, metadata)
    token = session.fetch_token(metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    response = session.revoke_token(metadata["revocation_endpoint"], token=token["refresh_token"], token_type_hint="refresh_token")
    assert response.status_code == 200
    assert session.get(server.base + "/api/oauth-client/me").status_code == 401
    with pytest.raises(OAuthError):
        session.refresh_token(metadata["token_endpoint"], refresh_token=token["refresh_token"])


def test_public_client_pkce_only(server):
    metadata = endpoints(server)
    redirect = "http://127.0.0.1:49152/callback"
    session = OAuth2Session(
        server.native["client_id"], scope="org:read", redirect_uri=redirect,
        code_challenge_method="S256", token_endpoint_auth_method="none",
    )
    callback, verifier = authorize(server, session, metadata)
    token = session.fetch_token(metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    assert token["access_token"].startswith("bi_at_")
    # Without the verifier the same flow fails: PKCE is what authenticates a public client.
    callback, _ = authorize(server, session, metadata)
    with pytest.raises(OAuthError) as refused:
        session.fetch_token(metadata["token_endpoint"], authorization_response=callback, code_verifier=secrets.token_urlsafe(48))
    assert refused.value.error == "invalid_grant"


def test_replayed_code_is_refused(server):
    metadata = endpoints(server)
    session = OAuth2Session(
        server.web["client_id"], server.web["client_secret"], scope="org:read",
        redirect_uri=REDIRECT, code_challenge_method="S256",
    )
    callback, verifier = authorize(server, session, metadata)
    token = session.fetch_token(metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    again = OAuth2Session(server.web["client_id"], server.web["client_secret"], redirect_uri=REDIRECT)
    with pytest.raises(OAuthError) as replay:
        again.fetch_token(metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    assert replay.value.error == "invalid_grant"
    me = requests.get(server.base + "/api/oauth-client/me", headers={"Authorization": "Bearer " + token["access_token"]})
    assert me.status_code == 401, "tokens issued from a replayed code are revoked"
