"""TLS for the API server: a certificate/key pair and the CA clients should trust."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class TLSFiles:
    cert_file: str | Path  # PEM server certificate (chain)
    key_file: str | Path  # PEM private key
    ca_file: str | Path | None = None  # PEM CA for clients; None: the certificate is self-signed

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(str(self.cert_file), str(self.key_file))
        # Offer only HTTP/1.1: Go clients would otherwise try HTTP/2.
        ctx.set_alpn_protocols(["http/1.1"])
        return ctx

    def ca_pem(self) -> bytes:
        return Path(self.ca_file or self.cert_file).read_bytes()
