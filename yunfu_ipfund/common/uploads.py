"""The one validator for uploaded documents, and the private storage they live in.

Types are decided by content (magic bytes), never by the name or the browser's claim. Files are
stored under PRIVATE_MEDIA_ROOT, outside static/, and reach a browser only through a view that has
checked who is asking (`serve_private_file`).
"""

import hashlib
import math
import mimetypes
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import LazyObject

from .errors import ValidationFailed

ALLOWED_TYPES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

MSG_EMPTY = "上传的文件为空。"
MSG_TOO_BIG = "文件过大：{size} MB，上限为 {limit} MB。"
MSG_TYPE = "只接受 PDF、JPEG 或 PNG 格式的文件（按文件内容判断），“{name}”不是这几种格式。"


class _PrivateStorage(LazyObject):
    def _setup(self):
        self._wrapped = FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


private_storage = _PrivateStorage()


def get_private_storage():
    return private_storage


def sniff_type(head):
    for content_type, signatures in ALLOWED_TYPES.items():
        if any(head.startswith(sig) for sig in signatures):
            return content_type
    return None


def validate_upload(uploaded):
    """Check an UploadedFile; returns (content_type, sha256). Raises ValidationFailed in Chinese."""
    size = uploaded.size or 0
    if size == 0:
        raise ValidationFailed(MSG_EMPTY, code="upload_empty")
    limit = settings.UPLOAD_MAX_BYTES
    if size > limit:
        # the size rounded up, the limit down, so that the figures shown never look equal
        size_mb = math.ceil(size * 100 / 1048576) / 100
        raise ValidationFailed(
            MSG_TOO_BIG.format(size=f"{size_mb:g}", limit=f"{math.floor(limit * 10 / 1048576) / 10:.1f}"),
            code="upload_too_big",
        )
    uploaded.seek(0)
    content_type = sniff_type(uploaded.read(16))
    if content_type is None:
        raise ValidationFailed(MSG_TYPE.format(name=getattr(uploaded, "name", "")), code="upload_type")
    uploaded.seek(0)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return content_type, digest.hexdigest()


@deconstructible
class PrivateUploadTo:
    """upload_to for private files: '<prefix>/<yyyy>/<mm>/<uuid><ext>' (never the user's file name)."""

    def __init__(self, prefix):
        self.prefix = prefix

    def __call__(self, instance, filename):
        now = timezone.localtime()
        ext = mimetypes.guess_extension(getattr(instance, "content_type", "") or "") or ""
        ext = {".jpe": ".jpg"}.get(ext, ext)
        return f"{self.prefix}/{now:%Y/%m}/{uuid.uuid4().hex}{ext}"


def serve_private_file(field_file, *, download_name, content_type=None):
    """Stream a private file. Call only after the caller's access_* check has passed."""
    handle = field_file.open("rb")
    response = FileResponse(handle, as_attachment=True, filename=download_name, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
