"""A small OpenID Connect provider on 127.0.0.1, for sign-on tests with no internet.

It has its own RSA key and serves discovery, authorize, token (with PKCE), JWKS and
userinfo, so mozilla-django-oidc does the whole code flow against it and really checks
the ID token's signature. The test says who signs in (`provider.person = {...claims}`)
and plays the browser between the two sites.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "arrears-casework-tests"
CLIENT_SECRET = "client-secret-for-tests"


class IdentityProvider:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(4)
        self.person: dict = {}
        self.codes: dict[str, dict] = {}
        self.token_requests: list[dict] = []
        # What a test may spoil to check that the service notices.
        self.issuer_override: str | None = None
        self.audience_override: str | None = None
        self.signing_key = self.key
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "IdentityProvider":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def discovery(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def jwks(self) -> dict:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def id_token(self, request: dict) -> str:
        now = int(time.time())
        claims = {
            **self.person,
            "iss": self.issuer_override or self.url,
            "aud": self.audience_override or CLIENT_ID,
            "iat": now,
            "nbf": now,
            "exp": now + 600,
            "nonce": request["nonce"],
        }
        return jwt.encode(claims, self.signing_key, algorithm="RS256", headers={"kid": self.kid})

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _json(self, body: dict, status: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    self._json(provider.discovery())
                elif url.path == "/jwks":
                    self._json(provider.jwks())
                elif url.path == "/authorize":
                    # The person has signed in here: back to the service with a code.
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = query
                    self.send_response(302)
                    back = urlencode({"code": code, "state": query["state"]})
                    location = f"{query['redirect_uri']}?{back}"
                    self.send_header("Location", location)
                    self.end_headers()
                elif url.path == "/userinfo":
                    if self.headers.get("Authorization") != "Bearer access-for-tests":
                        self._json({"error": "invalid_token"}, 401)
                        return
                    keys = ("sub", "email", "given_name", "family_name", "preferred_username")
                    self._json({k: provider.person[k] for k in keys if k in provider.person})
                else:
                    self._json({"error": "not_found"}, 404)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                provider.token_requests.append(form)
                request = provider.codes.pop(form.get("code", ""), None)
                if (
                    urlparse(self.path).path != "/token"
                    or request is None
                    or form.get("client_id") != CLIENT_ID
                    or form.get("client_secret") != CLIENT_SECRET
                    or form.get("redirect_uri") != request["redirect_uri"]
                ):
                    self._json({"error": "invalid_grant"}, 400)
                    return
                verifier = form.get("code_verifier", "")
                challenge = (
                    base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                    .rstrip(b"=")
                    .decode()
                )
                if challenge != request.get("code_challenge"):
                    self._json({"error": "invalid_grant", "error_description": "PKCE"}, 400)
                    return
                self._json(
                    {
                        "access_token": "access-for-tests",
                        "token_type": "Bearer",
                        "expires_in": 600,
                        "id_token": provider.id_token(request),
                    }
                )

        return Handler
