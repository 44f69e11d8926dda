"""A PyLD document loader that serves the two pinned JSON-LD contexts from local files and refuses
every other URL (issue "Certificates", point 3).

What
----
An Open Badges 3.0 credential names two contexts, the W3C Verifiable Credentials 2.0 context and
the Open Badges 3.0.3 context. `eddsa-rdfc-2022` signs the RDF canonical form of the credential,
and that form depends on what those contexts say, so the signer and every verifier must read
exactly the same context documents. `document_loader` serves the local copies in
`certificates/jsonld/` (see its README for where they come from) for exactly their two URLs and
raises `UnpinnedDocumentError` for anything else: no network access, ever.

Why
---
- Integrity: a context fetched at run time could be changed (or spoofed) by whoever serves it
  and silently change what a signature covers. The W3C Verifiable Credentials 2.0 data model
  (section "Base Context") and Data Integrity 1.0 (section "Context Validation") both ask
  implementations to use known, locally cached context documents. Each file's sha256 is pinned
  below and checked when it is first read, so an edited copy fails loudly rather than producing
  signatures nobody else can verify.
- Availability and privacy: verification of a credential must not depend on, or leak to, a third
  party's web server.
- Speed: `jsonld_options()` hands PyLD a context resolver with a private cache, so each context
  is parsed once per process. The cache is private (not PyLD's global one) so that no other code
  in the process can slip a differently-loaded context under one of our URLs.

The loader follows PyLD's loader contract: a callable `(url, options) -> RemoteDocument` (a dict
with `contentType`, `contextUrl`, `documentUrl`, `document`), as in `pyld.documentloader`.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from pathlib import Path
from typing import Any

from pyld.context_resolver import ContextResolver

JSONLD_DIR = Path(__file__).resolve().parent / "jsonld"

CREDENTIALS_V2_URL = "https://www.w3.org/ns/credentials/v2"
OPEN_BADGES_V3_URL = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

# URL -> (file in certificates/jsonld/, sha256 of the file's bytes).
PINNED_CONTEXTS: dict[str, tuple[str, str]] = {
    CREDENTIALS_V2_URL: (
        "credentials-v2.jsonld",
        "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734",
    ),
    OPEN_BADGES_V3_URL: (
        "ob-v3p0-context-3.0.3.json",
        "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761",
    ),
}

# The `@context` of every Open Badges 3.0 credential and status list credential we sign.
OPEN_BADGES_CONTEXT: tuple[str, str] = (CREDENTIALS_V2_URL, OPEN_BADGES_V3_URL)


class UnpinnedDocumentError(Exception):
    """A JSON-LD processor asked for a URL that is not one of the pinned contexts."""

    def __init__(self, url: str):
        self.url = url
        super().__init__(
            f"Refusing to load {url!r}: only the pinned contexts "
            f"({', '.join(sorted(PINNED_CONTEXTS))}) are served, from certificates/jsonld/; "
            "nothing is fetched from the network."
        )


class PinnedFileChangedError(Exception):
    """A pinned context file on disk no longer has the sha256 recorded in `PINNED_CONTEXTS`."""


_documents: dict[str, Any] = {}
_documents_lock = threading.Lock()

# PyLD's ContextResolver keeps resolved contexts in a "shared cache" under the loader's `tag`;
# this one is ours alone (see the module docstring).
_resolved_contexts: dict[str, Any] = {}


def pinned_document(url: str) -> Any:
    """Return a fresh copy of the parsed JSON of the pinned context for `url`.

    Raises `UnpinnedDocumentError` for any other URL and `PinnedFileChangedError` if the file's
    bytes differ from the pinned sha256.
    """
    try:
        filename, sha256 = PINNED_CONTEXTS[url]
    except KeyError:
        raise UnpinnedDocumentError(url) from None
    with _documents_lock:
        if url not in _documents:
            raw = (JSONLD_DIR / filename).read_bytes()
            actual = hashlib.sha256(raw).hexdigest()
            if actual != sha256:
                raise PinnedFileChangedError(
                    f"certificates/jsonld/{filename} has sha256 {actual}, expected {sha256}: "
                    "the pinned context was edited; restore it from ../shared/reference/jsonld/."
                )
            _documents[url] = json.loads(raw)
        # PyLD may rewrite the documents it is given; never hand out the cached object.
        return copy.deepcopy(_documents[url])


def document_loader(url: str, options: dict | None = None) -> dict[str, Any]:
    """PyLD document loader: the pinned context for `url`, or `UnpinnedDocumentError`."""
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": pinned_document(url),
        # With a tag, PyLD's ContextResolver keeps the resolved context in its shared cache
        # (here `_resolved_contexts`), so each context is processed once per process.
        "tag": "static",
    }


def jsonld_options() -> dict[str, Any]:
    """Options to pass to every PyLD call: our loader and a resolver with our private cache."""
    return {
        "documentLoader": document_loader,
        "contextResolver": ContextResolver(_resolved_contexts, document_loader),
    }


def loader_error_in(
    error: BaseException,
) -> UnpinnedDocumentError | PinnedFileChangedError | None:
    """The loader's own error that PyLD wrapped in one or more JsonLdErrors, if there is one."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, (UnpinnedDocumentError, PinnedFileChangedError)):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None
