"""Turning a certificate's finished HTML into a PDF/A-3b with its signed credential attached, and
the pieces of the print template that are not data: the QR code, dates in each language, font
sizes that keep long names on one page, and a URL fetcher that never reaches the network (issue
"Certificates", point 5).

Pure apart from reading local files: no Django models, no database. `certificates.pdf_services`
gathers the data, renders `templates/certificates/certificate_pdf.html` and stores the result.

Decisions
---------
- **PDF/A-3b** (ISO 19005-3, conformance level B) is what WeasyPrint's `pdf_variant="pdf/a-3b"`
  writes: the XMP `pdfaid:part` 3 and `pdfaid:conformance` B, an sRGB `/OutputIntents`, every
  font embedded, and, for each attachment, an `/AFRelationship` and an entry in the catalogue's
  `/AF` array. PDF/A-3 is the part that allows embedded files of any type, which is why the
  signed Open Badges credential can travel inside the PDF (as in ZUGFeRD/Factur-X invoices):
  `credential.json`, `application/ld+json`, relationship `Data` ("the file is the data the
  document's content is a rendering of", ISO 32000-2, 7.11.3).
- WeasyPrint 70 lists each attachment in `/AF` twice (once from the EmbeddedFiles name tree,
  once from the file specification itself); `_associated_files_deduplicate` leaves one entry.
- **Fonts** come from the system through fontconfig by family name: Noto Sans and Noto Serif
  (Debian `fonts-noto-core`) for Latin and Cyrillic, Noto Sans CJK SC and Noto Serif CJK SC
  (`fonts-noto-cjk`) for Chinese. WeasyPrint embeds a subset of each, made by HarfBuzz's
  subsetter (`libharfbuzz-subset0`); without it WeasyPrint falls back to fontTools, which takes
  seconds for a CJK font (`certificates/tests/test_system_packages.py` fails when it is missing).
- **No network**: `LocalOnlyURLFetcher` serves `data:` URIs and files under the folders it is
  given (media and static files) and refuses everything else, `http(s):` and `file:` paths
  elsewhere included. WeasyPrint logs a refused image and renders without it.
- **Reproducible**: the PDF's creation and modification dates, and the attachment's, are the
  certificate's issue date (not the time of rendering), and the file identifier is derived from
  the content, so rendering the same certificate with the same template gives the same bytes.
- **One page, always**: CSS cannot shrink text to fit, so `font_size_to_fit` estimates the width
  of a name from its characters (wide CJK characters take one em, Latin ones about half) and
  picks the largest size at which it fits the lines it is given; the sheet is also an
  absolutely positioned box of exactly one A4 page whose overflow is hidden, so even a
  misjudged estimate can never start a second page.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import mimetypes
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import segno
from babel.dates import format_date
from weasyprint.urls import URLFetcher, URLFetcherResponse

PDF_VARIANT = "pdf/a-3b"
CREDENTIAL_FILENAME = "credential.json"
CREDENTIAL_MEDIA_TYPE = "application/ld+json"
CREDENTIAL_DESCRIPTION = "The signed Open Badges 3.0 credential this certificate renders (W3C Verifiable Credential 2.0)."

# Babel locales of the two halves of the certificate: British English writes "29 November 2026".
DATE_LOCALES = {"en": "en_GB", "zh": "zh_Hans_CN"}

QR_DARK = "#1d2326"

MM_PER_PT = 25.4 / 72


class URLRefusedError(ValueError):
    """A resource the certificate asked for is neither a `data:` URI nor a local file under the
    folders the fetcher serves."""


class LocalOnlyURLFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves `data:` URIs and regular files under `roots`, and
    refuses everything else (recorded in `refused`). Never opens a network connection."""

    def __init__(self, roots: Iterable[str | Path] = ()):
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, fail_on_errors=False)
        self.roots = tuple(Path(root).resolve() for root in roots if root)
        self.refused: list[str] = []

    def _local_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        path = Path(url2pathname(parts.path)).resolve()
        if not path.is_file():
            return None
        return path if any(path.is_relative_to(root) for root in self.roots) else None

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            # urllib's DataHandler decodes it in memory; no handler that reaches out is involved.
            return super().fetch(url, headers)
        if scheme == "file" and (path := self._local_path(url)) is not None:
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": media_type})
        self.refused.append(url)
        raise URLRefusedError(f"Not fetched (certificates are rendered from local files only): {url}")


def data_uri(content: bytes, media_type: str) -> str:
    """`data:` URI of `content`, base64-encoded."""
    return f"data:{media_type};base64,{base64.b64encode(content).decode('ascii')}"


def local_file_uri(path: str | Path) -> str:
    """The `file:` URI of a local file, as the fetcher serves it."""
    return Path(path).resolve().as_uri()


# --- The QR code ----------------------------------------------------------------------------------


def qr_code(url: str) -> segno.QRCode:
    """The QR code of `url`: a full-size QR code (never a Micro QR, which phones do not all read)
    with error correction M, which survives a crease or a smudge on a printed certificate."""
    return segno.make_qr(url, error="m", boost_error=False)


def qr_svg_data_uri(url: str) -> str:
    """The QR code of `url` as an SVG `data:` URI: vector, so it prints sharp at any size, and
    drawn without a quiet zone (the template leaves the white margin around it)."""
    return qr_code(url).svg_data_uri(scale=1, border=0, dark=QR_DARK, light=None, omitsize=True)


# --- Dates and sizes ------------------------------------------------------------------------------


def date_long(value: dt.date, language: str) -> str:
    """A date written out as each half of the certificate prints it: "29 November 2026",
    "2026年11月29日"."""
    return format_date(value, format="long", locale=DATE_LOCALES[language])


def text_width_em(text: str) -> float:
    """A generous estimate of the width of `text` in ems in Noto Sans/Serif and their CJK
    counterparts: full-width characters one em, capitals 0.72, spaces 0.26, the rest 0.58."""
    width = 0.0
    for character in text:
        if unicodedata.east_asian_width(character) in ("W", "F"):
            width += 1.0
        elif character.isspace():
            width += 0.26
        elif character.isupper():
            width += 0.72
        else:
            width += 0.58
    return width


def font_size_to_fit(text: str, *, width_mm: float, max_pt: float, min_pt: float, lines: int = 1) -> float:
    """The largest font size (in points, in steps of half a point, from `max_pt` down to
    `min_pt`) at which `text` fits `lines` lines of `width_mm`. Words wrap whole, so each line is
    assumed to lose a tenth of its width to the word that did not fit."""
    width_em = text_width_em(text)
    size = max_pt
    while size > min_pt:
        if width_em * size * MM_PER_PT <= width_mm * lines * (1 if lines == 1 else 0.9):
            return size
        size -= 0.5
    return min_pt


# --- HTML to PDF ----------------------------------------------------------------------------------


def _associated_files_deduplicate(document, pdf) -> None:
    """Keep one reference to each file specification in the catalogue's `/AF` array."""
    if "AF" not in pdf.catalog:
        return
    seen, unique = set(), []
    for reference in pdf.catalog["AF"]:
        if reference not in seen:
            seen.add(reference)
            unique.append(reference)
    pdf.catalog["AF"][:] = unique


def credential_json_bytes(credential: dict) -> bytes:
    """The credential as attached: UTF-8 JSON, indented for people who open it, Chinese kept
    as characters rather than escapes. The signature covers the JSON-LD data, not this layout."""
    return json.dumps(credential, ensure_ascii=False, indent=2).encode("utf-8")


def credential_attachment(credential: dict, *, created: dt.datetime, fetcher: LocalOnlyURLFetcher):
    """The WeasyPrint attachment of the signed credential: `credential.json`, JSON-LD media type,
    relationship Data, dated `created`."""
    from weasyprint import Attachment

    return Attachment(
        url=data_uri(credential_json_bytes(credential), CREDENTIAL_MEDIA_TYPE), url_fetcher=fetcher,
        name=CREDENTIAL_FILENAME, description=CREDENTIAL_DESCRIPTION,
        created=created, modified=created, relationship="Data",
    )


def pdf_render(html: str, *, credential: dict, created: dt.datetime, roots: Iterable[str | Path] = ()) -> bytes:
    """The PDF/A-3b of the finished certificate `html` with `credential` attached as
    `credential.json`. Images and other resources are read only from `data:` URIs and from files
    under `roots`; anything else is refused and left out."""
    from weasyprint import HTML

    fetcher = LocalOnlyURLFetcher(roots)
    document = HTML(string=html, url_fetcher=fetcher).render()
    return document.write_pdf(
        pdf_variant=PDF_VARIANT, pdf_identifier=True,
        attachments=[credential_attachment(credential, created=created, fetcher=fetcher)],
        finisher=_associated_files_deduplicate,
    )
