"""A small OpenID Connect provider on 127.0.0.1, for logging in through the real st.login flow.

It does what a team's provider (Google, Entra, Keycloak...) does for Streamlit's Authlib
client, and nothing more: a discovery document, a sign-in form at /auth (the browser types
the e-mail to sign in as, then is sent back with a one-time code), /token exchanging the
code (client id and secret checked) for an RS256-signed ID token carrying that e-mail and
the nonce, /jwks with the public key, and /logout sending the browser back to the app.
"""

from __future__ import annotations

import base64
import html
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

CLIENT_ID = "ops-kpis"
CLIENT_SECRET = "provider-test-secret"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class Provider:
    """The provider's state: its key, the codes handed out, and who signed in (for tests)."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, tuple[str, str]] = {}  # code -> (e-mail, nonce)
        self.signed_in: list[str] = []
        self.logouts = 0
        self.issuer = ""

    def id_token(self, email: str, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "sub": f"user-{email}", "email": email,
                  "email_verified": True, "name": email.split("@")[0], "iat": now,
                  "exp": now + 600, "nonce": nonce}  # fmt: skip
        head = _b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "test"}).encode())
        body = _b64(json.dumps(claims).encode())
        signed = self.key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{head}.{body}.{_b64(signed)}"

    def jwks(self) -> dict[str, Any]:
        numbers = self.key.public_key().public_numbers()
        size = (numbers.n.bit_length() + 7) // 8
        return {"keys": [{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "test",
                          "n": _b64(numbers.n.to_bytes(size, "big")),
                          "e": _b64(numbers.e.to_bytes(3, "big"))}]}  # fmt: skip

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/auth",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            return

        def _send(self, status: int, body: bytes = b"", kind: str = "application/json",
                  location: str | None = None) -> None:  # fmt: skip
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            if location:
                self.send_header("Location", location)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._send(200, json.dumps(provider.discovery()).encode())
            elif url.path == "/jwks":
                self._send(200, json.dumps(provider.jwks()).encode())
            elif url.path == "/auth":
                hidden = "".join(
                    f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                    for k, v in query.items()
                )
                form = (
                    "<html><body><h1>Test provider</h1><form method='post' action='/auth'>"
                    f"{hidden}<label>E-mail <input name='login_email' id='login_email'></label>"
                    "<button type='submit' id='sign_in'>Sign in</button></form></body></html>"
                )
                self._send(200, form.encode(), "text/html")
            elif url.path == "/logout":
                provider.logouts += 1
                back = query.get("post_logout_redirect_uri", "")
                self._send(302 if back else 200, b"", "text/html", back or None)
            else:
                self._send(404, b"not found", "text/plain")

        def do_POST(self) -> None:
            length = min(int(self.headers.get("Content-Length", "0")), 100_000)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            path = urlsplit(self.path).path
            if path == "/auth":
                code = secrets.token_urlsafe(16)
                provider.codes[code] = (form["login_email"], form.get("nonce", ""))
                back = f"{form['redirect_uri']}?" + urlencode(
                    {"code": code, "state": form.get("state", "")}
                )
                self._send(302, b"", "text/html", back)
            elif path == "/token":
                expected = "Basic " + base64.b64encode(
                    f"{CLIENT_ID}:{CLIENT_SECRET}".encode()
                ).decode("ascii")
                given = self.headers.get("Authorization")
                sent = (form.get("client_id"), form.get("client_secret"))
                if given != expected and sent != (CLIENT_ID, CLIENT_SECRET):
                    self._send(401, b'{"error": "invalid_client"}')
                    return
                found = provider.codes.pop(form.get("code", ""), None)
                if found is None:
                    self._send(400, b'{"error": "invalid_grant"}')
                    return
                email, nonce = found
                provider.signed_in.append(email)
                token = {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                         "expires_in": 600, "id_token": provider.id_token(email, nonce)}  # fmt: skip
                self._send(200, json.dumps(token).encode())
            else:
                self._send(404, b"not found", "text/plain")

    return Handler


@contextmanager
def running() -> Iterator[Provider]:
    """The provider, serving on a free port of 127.0.0.1 until the block ends."""
    provider = Provider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
