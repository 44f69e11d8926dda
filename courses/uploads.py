"""The check of a file a learner uploads: its name's extension must be one the assignment
allows, its size within the limit, and its content must be what the extension says — a PDF that
starts as a PDF, an image Pillow can read, an Office file that is the Office Open XML package
of its kind, text that is UTF-8 — so a renamed executable or an HTML page never passes as a
report. Pure apart from reading the file given: no models, no storage."""

import io
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.utils.translation import gettext as _

ALIASES = {"jpeg": "jpg"}
OFFICE_PARTS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
MAX_NAME = 200


class UploadError(ValueError):
    """The file is refused; the message says why, in the user's language."""


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    file_type: str
    size: int


def upload_name_clean(name: str) -> str:
    """The file's own name without any folder, control characters or surrounding spaces, cut to
    200 characters with its extension kept."""
    base = PurePath((name or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip() or "file"
    if len(base) > MAX_NAME:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: MAX_NAME - len(ext) - 1] + dot + ext) if dot and len(ext) < 12 else base[:MAX_NAME]
    return base


def upload_check(*, name: str, size: int, stream, allowed: list, max_bytes: int) -> CheckedUpload:
    """The checked upload, or an `UploadError` naming the file and what is wrong with it. `stream`
    is a binary file object positioned anywhere; it is read and rewound."""
    clean = upload_name_clean(name)
    extension = clean.rpartition(".")[2].lower() if "." in clean else ""
    file_type = ALIASES.get(extension, extension)
    if file_type not in allowed:
        raise UploadError(
            _("“%(name)s”: this kind of file is not accepted here. Accepted: %(types)s.")
            % {"name": clean, "types": ", ".join(allowed) or _("none")}
        )
    if size <= 0:
        raise UploadError(_("“%(name)s” is empty.") % {"name": clean})
    if size > max_bytes:
        raise UploadError(
            _("“%(name)s” is %(size)s MB; files may be %(limit)s MB at most.")
            % {"name": clean, "size": f"{size / 1048576:.1f}", "limit": f"{max_bytes / 1048576:g}"}
        )
    stream.seek(0)
    data = stream.read()
    stream.seek(0)
    if not _content_matches(file_type, data):
        raise UploadError(
            _("“%(name)s” does not contain what its name says (%(type)s). Export or save it again as that kind of file.")
            % {"name": clean, "type": file_type.upper()}
        )
    return CheckedUpload(name=clean, file_type=file_type, size=size)


def _content_matches(file_type: str, data: bytes) -> bool:
    if file_type == "pdf":
        return data[:1024].lstrip().startswith(b"%PDF-")
    if file_type in ("png", "jpg"):
        return _image_matches(file_type, data)
    if file_type in OFFICE_PARTS:
        names = _zip_names(data)
        return names is not None and "[Content_Types].xml" in names and any(n.startswith(OFFICE_PARTS[file_type]) for n in names)
    if file_type == "zip":
        return _zip_names(data) is not None
    if file_type in ("txt", "csv"):
        if b"\x00" in data:
            return False
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return False
        return True
    return False


def _image_matches(file_type, data):
    from PIL import Image, UnidentifiedImageError

    # A JPEG with a second picture in its MPF segment (phones' depth and HDR gain maps) opens as
    # "MPO"; it is still a JPEG file any viewer shows.
    expected = {"png": {"PNG"}, "jpg": {"JPEG", "MPO"}}[file_type]
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in expected:
                return False
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False
    return True


def _zip_names(data):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if any(info.flag_bits & 0x1 for info in archive.infolist()):
                return None  # encrypted: reviewers could not open it
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
