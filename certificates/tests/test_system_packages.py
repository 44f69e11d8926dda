"""The Debian packages the certificate PDF needs (issue "Certificates", point 5), installed by
`bin/install-system-packages`. These fail, never skip, when one is missing: without
`libharfbuzz-subset0` WeasyPrint silently falls back to fontTools and a page with Chinese takes
seconds instead of a fraction of one; without the Noto fonts Chinese is printed in whatever
fontconfig finds, or as empty boxes; the PDF tests read PDFs with Poppler's tools."""

import ctypes.util
import shutil
import subprocess

import pytest

NOTO_FAMILIES = ["Noto Sans", "Noto Serif", "Noto Sans CJK SC", "Noto Serif CJK SC"]


def test_harfbuzz_subset_is_installed():
    """The HarfBuzz subsetting library is on the system (Debian: libharfbuzz-subset0)."""
    assert ctypes.util.find_library("harfbuzz-subset"), (
        "libharfbuzz-subset is missing: run bin/install-system-packages (apt-get install libharfbuzz-subset0)"
    )


def test_weasyprint_subsets_fonts_with_harfbuzz():
    """WeasyPrint loaded HarfBuzz's subsetter, as it decides at import (weasyprint.text.ffi),
    and the HarfBuzz it found is recent enough for WeasyPrint to use it (4.1 or later)."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    assert harfbuzz_subset is not None, "WeasyPrint did not find libharfbuzz-subset; it would subset fonts with fontTools (slow)"
    assert harfbuzz.hb_version_atleast(4, 1, 0)


@pytest.mark.parametrize("family", NOTO_FAMILIES)
def test_the_noto_fonts_are_installed(family):
    """fontconfig resolves each family the print template names to a Noto font file
    (Debian: fonts-noto-core, fonts-noto-cjk), not to a substitute."""
    assert shutil.which("fc-match"), "fontconfig's fc-match is missing"
    found = subprocess.run(
        ["fc-match", "--format=%{family}\n%{file}", family], check=True, capture_output=True, text=True, timeout=30,
    ).stdout
    families, _newline, path = found.partition("\n")
    assert family in families.split(","), f"{family} is not installed; fontconfig offers {families!r} ({path})"
    assert "noto" in path.rsplit("/", 1)[-1].lower(), path


def test_the_noto_cjk_font_file_is_where_debian_puts_it():
    """The Simplified Chinese face comes from Debian's fonts-noto-cjk (a .ttc collection)."""
    found = subprocess.run(
        ["fc-match", "--format=%{file}", "Noto Sans CJK SC"], check=True, capture_output=True, text=True, timeout=30,
    ).stdout
    assert found.endswith(".ttc") and "NotoSansCJK" in found, found


@pytest.mark.parametrize("tool", ["pdffonts", "pdftotext", "pdfinfo"])
def test_poppler_tools_are_installed(tool):
    """Poppler's command-line tools the PDF tests use are on the PATH (Debian: poppler-utils)."""
    assert shutil.which(tool), f"{tool} is missing: apt-get install poppler-utils"
