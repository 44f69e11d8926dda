"""The Content-Security-Policy forbids inline styles and scripts on the public site, so no
template of ours may rely on them (the browser would silently drop them)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates"), *ROOT.glob("academy/*/templates")]
STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*["']""", re.IGNORECASE)
# Scripts must come from a file; JSON data blocks (type="application/json") are not executed.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)


# Rendered by WeasyPrint into PDFs, never served to a browser: the CSP does not apply, and the
# print template sets each name's fitted font size inline.
PRINT_TEMPLATES = {ROOT / "templates" / "certificates" / "certificate_pdf.html"}


def template_files():
    for directory in TEMPLATE_DIRS:
        if directory.is_dir():
            yield from sorted(p for p in directory.rglob("*.html") if p not in PRINT_TEMPLATES)


@pytest.mark.parametrize("path", list(template_files()), ids=lambda p: str(p.relative_to(ROOT)))
def test_template_has_no_inline_style_or_script(path):
    """A site template uses classes and external scripts only."""
    text = path.read_text(encoding="utf-8")
    assert not STYLE_ATTRIBUTE.search(text), f"{path}: style attribute"
    assert not INLINE_SCRIPT.search(text), f"{path}: inline <script>"
    assert not EVENT_HANDLER.search(text), f"{path}: inline event handler"


def test_templates_were_found():
    """The scan above looks at the real template folders (it would pass vacuously otherwise)."""
    assert len(list(template_files())) > 10
