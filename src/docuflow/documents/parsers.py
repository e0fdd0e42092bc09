"""Multipart uploads streamed straight into a ``Spool`` (hashed and size-checked).

Django's own handlers would buffer small files in memory and write big ones to a
temporary file we would then copy; this handler writes each chunk once, into the spool,
and stops at the size limit. A body cut off before its closing boundary is refused.
"""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from django.http.multipartparser import MultiPartParserError
from rest_framework import exceptions, parsers

from docuflow.documents import ingest

FILE_FIELD = "file"


class SpooledUpload(UploadedFile):
    """The uploaded ``file`` field: a finished spool and the client's raw file name."""

    def __init__(self, spool: ingest.Spool, filename: str, content_type: str) -> None:
        super().__init__(
            file=None, name=filename or "upload", content_type=content_type, size=spool.size
        )
        self.spool = spool
        self.filename = filename  # already checked by ingest.clean_filename

    def close(self) -> None:  # Django closes uploads at the end of the request
        self.spool.discard()


class SpoolUploadHandler(FileUploadHandler):
    chunk_size = 1024 * 1024

    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.spool: ingest.Spool | None = None
        self.filename = ""
        self.interrupted = False
        self.seen_file = False

    def new_file(self, field_name, file_name, content_type, content_length, *args, **kwargs):
        super().new_file(field_name, file_name, content_type, content_length, *args, **kwargs)
        if field_name != FILE_FIELD or self.seen_file:
            raise SkipFile()
        self.seen_file = True
        # A bad name is refused before a single byte of content is received.
        self.filename = ingest.clean_filename(file_name)
        self.spool = ingest.Spool()

    def receive_data_chunk(self, raw_data, start):
        self.spool.write(raw_data)
        return None

    def file_complete(self, file_size):
        if self.spool is None:
            return None
        self.spool.finish()
        return SpooledUpload(self.spool, self.filename, self.content_type)

    def upload_interrupted(self):
        self.interrupted = True

    def discard(self) -> None:
        if self.spool is not None:
            self.spool.discard()


class _Parser(DjangoMultiPartParser):
    """Keeps the client's file name as sent, so a path in it can be refused, not cut."""

    def sanitize_file_name(self, file_name):
        return file_name if file_name and file_name.strip() else None


class SpoolMultiPartParser(parsers.BaseParser):
    media_type = "multipart/form-data"

    def parse(self, stream, media_type=None, parser_context=None):
        request = parser_context["request"]
        meta = request.META.copy()
        meta["CONTENT_TYPE"] = media_type
        handler = SpoolUploadHandler(request)
        try:
            data, files = _Parser(meta, stream, [handler], "utf-8").parse()
        except MultiPartParserError as exc:
            handler.discard()
            raise exceptions.ParseError(f"Multipart form parse error - {exc}")
        except BaseException:
            handler.discard()
            raise
        if handler.interrupted or (handler.seen_file and FILE_FIELD not in files):
            handler.discard()
            raise exceptions.ParseError(
                "The multipart body ended before the file did: the upload was cut off."
            )
        return parsers.DataAndFiles(data, files)
