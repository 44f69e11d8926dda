"""The check of a learner's uploaded file (courses.uploads), from bytes, without a database: the
content must be what the extension says, the extension one the assignment accepts, the size
within the limit, and the name is cleaned of folders and control characters."""

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from courses.tests.assessment_fixtures import docx_bytes, image_bytes, pdf_bytes, zip_bytes
from courses.uploads import MAX_NAME, CheckedUpload, UploadError, upload_check, upload_name_clean

ALL_TYPES = ["pdf", "docx", "xlsx", "pptx", "png", "jpg", "txt", "csv", "zip"]
MB = 1024 * 1024


def check(name, data, *, allowed=ALL_TYPES, size=None, max_bytes=MB):
    stream = io.BytesIO(data)
    return upload_check(name=name, size=len(data) if size is None else size, stream=stream, allowed=allowed, max_bytes=max_bytes)


# ---------------------------------------------------------------- content matches the extension


def test_a_real_pdf_passes():
    """A file starting with the PDF header passes as a PDF, with its name, type and size."""
    data = pdf_bytes()

    assert check("report.pdf", data) == CheckedUpload(name="report.pdf", file_type="pdf", size=len(data))


def test_a_png_made_with_pillow_passes():
    """A PNG image Pillow wrote passes as png."""
    assert check("chart.png", image_bytes("PNG")).file_type == "png"


def test_a_jpeg_passes_and_jpeg_maps_to_jpg():
    """A JPEG passes whether named .jpg or .jpeg; both are the type jpg."""
    data = image_bytes("JPEG")

    assert check("photo.jpg", data).file_type == "jpg"
    assert check("photo.JPEG", data, allowed=["jpg"]).file_type == "jpg"


def test_a_multi_picture_jpeg_from_a_phone_passes():
    """A JPEG carrying a second picture (MPF: phones store depth or HDR gain maps so, and Pillow
    reads it as “MPO”) is still a JPEG a reviewer can open: it passes as jpg."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (10, 20, 30)).save(buffer, format="MPO", save_all=True, append_images=[Image.new("RGB", (8, 6))])
    assert buffer.getvalue()[:3] == b"\xff\xd8\xff"

    assert check("IMG_0042.JPG", buffer.getvalue()).file_type == "jpg"


def test_a_png_named_jpg_fails():
    """An image of the wrong format for its extension is refused."""
    with pytest.raises(UploadError, match="JPG"):
        check("photo.jpg", image_bytes("PNG"))


def test_a_truncated_image_fails():
    """A PNG cut short after its header is not an image Pillow can verify."""
    with pytest.raises(UploadError):
        check("chart.png", image_bytes("PNG")[:40])


def test_a_docx_package_passes():
    """A zip with [Content_Types].xml and word/document.xml is a Word document."""
    assert check("letter.docx", docx_bytes()).file_type == "docx"


def test_a_plain_zip_renamed_docx_fails():
    """A zip without the Office package parts is refused as a .docx, naming the file and type."""
    data = zip_bytes({"notes.txt": b"hello"})

    with pytest.raises(UploadError, match="“letter.docx” does not contain what its name says \\(DOCX\\)"):
        check("letter.docx", data)


def test_a_word_package_renamed_xlsx_fails():
    """A Word package is not an Excel workbook: the part folder must be the type's own."""
    with pytest.raises(UploadError):
        check("sheet.xlsx", docx_bytes())


@pytest.mark.parametrize("data", [
    b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64,
    b"",
])
def test_html_or_an_executable_renamed_pdf_fails(data):
    """An HTML page or a Windows executable named .pdf is refused for its content."""
    with pytest.raises(UploadError, match="PDF"):
        check("report.pdf", data, size=max(len(data), 1))


def test_utf8_text_passes():
    """UTF-8 text (Chinese and Polish included, with or without a BOM) passes as txt and csv."""
    text = "Poznań, 40 T-shirts, 关税 12.5\n".encode()

    assert check("notes.txt", text).file_type == "txt"
    assert check("costs.csv", b"\xef\xbb\xbf" + text).file_type == "csv"


def test_binary_with_nul_fails_as_text():
    """Bytes with a NUL are not text, even when they decode as UTF-8."""
    with pytest.raises(UploadError):
        check("notes.txt", b"abc\x00def")


def test_latin1_text_fails():
    """Latin-1 text that is not valid UTF-8 is refused: reviewers would see mojibake."""
    with pytest.raises(UploadError):
        check("notes.txt", "Größe: 40 Stück".encode("latin-1"))


def test_an_encrypted_zip_fails():
    """A password-protected zip (or Office file) is refused: reviewers could not open it."""
    assert check("bundle.zip", zip_bytes({"a.txt": b"x"})).file_type == "zip"

    with pytest.raises(UploadError):
        check("bundle.zip", zip_bytes({"a.txt": b"x"}, encrypted=True))
    with pytest.raises(UploadError):
        check("letter.docx", zip_bytes({
            "[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>",
        }, encrypted=True))


def test_the_stream_is_rewound_after_the_check():
    """The check reads the file and rewinds it, so it can be stored whole afterwards."""
    stream = io.BytesIO(pdf_bytes())
    stream.seek(5)

    upload_check(name="a.pdf", size=len(pdf_bytes()), stream=stream, allowed=["pdf"], max_bytes=MB)

    assert stream.tell() == 0


# ---------------------------------------------------------------- extension and size


def test_an_extension_not_allowed_fails_naming_the_accepted_types():
    """A PDF offered where only images are accepted is refused with the accepted types listed."""
    with pytest.raises(UploadError, match="Accepted: png, jpg") as error:
        check("report.pdf", pdf_bytes(), allowed=["png", "jpg"])

    assert "report.pdf" in str(error.value)


def test_a_name_without_extension_fails():
    """A name without an extension is no accepted type."""
    with pytest.raises(UploadError, match="not accepted"):
        check("report", pdf_bytes())


def test_an_empty_file_fails():
    """Size 0 is refused as empty."""
    with pytest.raises(UploadError, match="empty"):
        check("report.pdf", b"", size=0)


def test_a_file_above_the_limit_fails_and_one_at_the_limit_passes():
    """One byte over the limit is refused, with the limit in the message; exactly the limit passes."""
    data = pdf_bytes()

    assert check("report.pdf", data, max_bytes=len(data)).size == len(data)
    with pytest.raises(UploadError, match="at most"):
        check("report.pdf", data, max_bytes=len(data) - 1)
    with pytest.raises(UploadError, match="2.0 MB; files may be 1 MB at most"):
        check("report.pdf", data, size=2 * MB, max_bytes=MB)


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(("name", "clean"), [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("C:\\Users\\aru\\Desktop\\report.pdf", "report.pdf"),
    ("/var/tmp/report.pdf", "report.pdf"),
    ("re\x00po\x1brt\u202e.pdf", "report.pdf"),
    ("  report.pdf \n", "report.pdf"),
    ("", "file"),
    ("\x00\x01", "file"),
    ("folder/", "folder"),
    ("报告.pdf", "报告.pdf"),
])
def test_names_are_cleaned(name, clean):
    """Folders (either slash), control and format characters and surrounding spaces go; an empty
    result becomes “file”."""
    assert upload_name_clean(name) == clean


def test_a_very_long_name_is_cut_keeping_its_extension():
    """A 300-character name is cut to 200 characters and keeps its extension, so it still checks."""
    name = "x" * 300 + ".pdf"

    clean = upload_name_clean(name)

    assert len(clean) == MAX_NAME and clean.endswith(".pdf")
    assert check(name, pdf_bytes()).name == clean


@given(st.text(max_size=400))
def test_a_cleaned_name_is_always_safe(name):
    """Whatever the name, the cleaned one has no slash, backslash or control character, is at
    most 200 characters and is never empty."""
    import unicodedata

    clean = upload_name_clean(name)

    assert clean and len(clean) <= MAX_NAME
    assert "/" not in clean and "\\" not in clean
    assert not any(unicodedata.category(ch).startswith("C") for ch in clean)
    assert clean == clean.strip()


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=400), st.sampled_from(["pdf", "docx", "txt"]))
def test_a_long_name_keeps_a_short_extension(stem, extension):
    """Any name ending in a known extension keeps that extension after cleaning, however long."""
    clean = upload_name_clean(f"{stem}.{extension}")

    assert clean.endswith(f".{extension}")
