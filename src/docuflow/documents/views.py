"""HTTP endpoints of the vault. Thin: parse, call a selector or a service, answer."""

from __future__ import annotations

import re
from urllib.parse import unquote

from django.utils.http import parse_header_parameters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from docuflow.accounts.models import User
from docuflow.accounts.permissions import IsTenantMember
from docuflow.api.errors import Conflict, UnprocessableEntity
from docuflow.api.pagination import PageNumberPagination
from docuflow.documents import ingest, selectors, services, signing, streaming
from docuflow.documents import serializers as s
from docuflow.documents.models import Document, DocumentVersion
from docuflow.documents.parsers import SpooledUpload, SpoolMultiPartParser

_FILENAME_STAR = re.compile(r"filename\*\s*=\s*([^;]+)", re.IGNORECASE)


def document_response(request, doc: Document, code: int = 200) -> Response:
    urls = {doc.pk: services.upload_url(request, request.user, doc)}
    body = s.DocumentSerializer(doc, context={"request": request, "upload_urls": urls}).data
    return Response(body, status=code)


def _reload(actor, doc: Document) -> Document:
    return selectors.document(actor, doc.pk)


def filename_from_headers(request) -> str:
    """The name from ``Content-Disposition`` (``filename*`` first) or ``file-name``."""
    disposition = request.headers.get("Content-Disposition", "")
    star = _FILENAME_STAR.search(disposition)
    if star:
        value = star.group(1).strip().strip('"')
        charset, sep, rest = value.partition("'")
        if sep:
            _language, _, encoded = rest.partition("'")
            try:
                return ingest.clean_filename(
                    unquote(encoded, encoding=charset or "utf-8", errors="strict")
                )
            except (LookupError, UnicodeDecodeError):
                raise UnprocessableEntity({"filename": ["The filename* parameter is not valid."]})
    if disposition:
        _value, params = parse_header_parameters(disposition)
        if params.get("filename"):
            return ingest.clean_filename(_latin1_to_utf8(params["filename"]))
    raw = request.headers.get("File-Name")
    return ingest.clean_filename(_latin1_to_utf8(raw)) if raw else ""


def _latin1_to_utf8(value: str) -> str:
    """HTTP headers arrive decoded as Latin-1; clients send UTF-8 bytes in them."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def _declared_length(request) -> int | None:
    raw = request.META.get("CONTENT_LENGTH")
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        raise exceptions.ParseError("Content-Length is not a number.")


def _receive_body(request) -> ingest.Spool:
    """Stream the raw request body into a spool (the caller discards it)."""
    django_request = getattr(request, "_request", request)
    spool = ingest.Spool()
    try:
        ingest.receive_stream(django_request.read, spool, _declared_length(request))
    except BaseException:
        spool.discard()
        raise
    return spool


class DocumentListView(APIView):
    """``GET /documents/`` lists; ``POST`` creates (JSON) or uploads (multipart ``file``)."""

    permission_classes = [IsTenantMember]
    parser_classes = [JSONParser, SpoolMultiPartParser]

    @extend_schema(
        parameters=[s.DocumentQuerySerializer], responses=s.DocumentSerializer(many=True)
    )
    def get(self, request):
        query = s.DocumentQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        documents = selectors.list_documents(request.user, **query.validated_data)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(documents, request, view=self)
        return paginator.get_paginated_response(s.DocumentSerializer(page, many=True).data)

    @extend_schema(
        request={
            "application/json": s.DocumentCreateSerializer,
            "multipart/form-data": s.DocumentUploadSerializer,
        },
        responses={201: s.DocumentSerializer},
    )
    def post(self, request):
        if not (request.content_type or "").startswith("multipart/"):
            data = s.DocumentCreateSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            doc = services.create_document(request.user, request=request, **data.validated_data)
            return document_response(request, _reload(request.user, doc), 201)

        # Refuse before reading a body that could never be stored.
        services.check_can_upload(request.user)
        services.check_documents_limit(request.user.tenant_id)
        upload = None
        try:
            upload = request.FILES.get("file")
            data = s.DocumentUploadSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            if not isinstance(upload, SpooledUpload):
                raise UnprocessableEntity({"file": ["Send the file in a field named 'file'."]})
            fields = dict(data.validated_data)
            fields.pop("file")
            doc = services.upload_document(
                request.user, upload.spool, filename=upload.filename, request=request, **fields
            )
        finally:
            if isinstance(upload, SpooledUpload):
                upload.spool.discard()
        return document_response(request, _reload(request.user, doc), 201)


class PendingListView(generics.ListAPIView):
    permission_classes = [IsTenantMember]
    serializer_class = s.DocumentSerializer

    def get_queryset(self):
        return selectors.pending_documents(self.request.user)


class DocumentDetailView(APIView):
    permission_classes = [IsTenantMember]

    @extend_schema(responses=s.DocumentSerializer)
    def get(self, request, pk):
        return document_response(request, selectors.document(request.user, pk))

    @extend_schema(request=s.DocumentUpdateSerializer, responses=s.DocumentSerializer)
    def patch(self, request, pk):
        doc = selectors.document(request.user, pk)
        data = s.DocumentUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        for key in ("visibility", "allowed_roles", "allowed_users"):
            fields.setdefault(key, None)
        services.update_document(request.user, doc, request=request, **fields)
        return document_response(request, _reload(request.user, doc))

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        services.delete_document(request.user, selectors.document(request.user, pk), request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DocumentContentView(APIView):
    """``PUT /documents/{id}/content/``: the raw body is the file (a new version)."""

    permission_classes = [IsTenantMember]
    parser_classes: list = []

    @extend_schema(
        request={"application/octet-stream": OpenApiTypes.BINARY},
        parameters=[
            OpenApiParameter("Content-Disposition", str, OpenApiParameter.HEADER),
            OpenApiParameter("file-name", str, OpenApiParameter.HEADER),
        ],
        responses=s.DocumentSerializer,
    )
    def put(self, request, pk):
        doc = selectors.document(request.user, pk)
        services.check_can_upload_to(request.user, doc)
        filename = filename_from_headers(request)
        spool = _receive_body(request)
        try:
            doc = services.add_version(
                request.user, doc, spool, filename=filename, request=request, via="put"
            )
        finally:
            spool.discard()
        return document_response(request, _reload(request.user, doc))


class DocumentCompleteView(APIView):
    """``POST /documents/{id}/complete/``: adopt content PUT straight to S3."""

    permission_classes = [IsTenantMember]

    @extend_schema(request=None, responses=s.DocumentSerializer)
    def post(self, request, pk):
        doc = selectors.document(request.user, pk)
        doc = services.complete_direct_upload(request.user, doc, request)
        return document_response(request, _reload(request.user, doc))


class DownloadUrlView(APIView):
    permission_classes = [IsTenantMember]

    @extend_schema(parameters=[s.DownloadUrlQuerySerializer], responses=s.DownloadUrlSerializer)
    def get(self, request, pk):
        doc = selectors.document(request.user, pk)
        query = s.DownloadUrlQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        answer = services.issue_download_url(
            request.user, doc, query.validated_data["expires_in"], request
        )
        return Response(s.DownloadUrlSerializer(answer).data)


def _version_param(request, doc: Document) -> DocumentVersion:
    raw = request.query_params.get("version")
    if raw is None:
        if doc.version == 0:
            raise Conflict("The document has no content yet.")
        return selectors.version(doc, doc.version)
    try:
        number = int(raw)
    except ValueError:
        raise UnprocessableEntity({"version": ["A version is a positive integer."]})
    return selectors.version(doc, number)


class DownloadView(APIView):
    """``GET /documents/{id}/download/`` (``?version=N`` for an older one)."""

    permission_classes = [IsTenantMember]

    @extend_schema(
        parameters=[OpenApiParameter("version", int, required=False)],
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            (206, "application/octet-stream"): OpenApiTypes.BINARY,
            416: OpenApiResponse(description="Range not satisfiable"),
        },
    )
    def get(self, request, pk):
        doc = selectors.document(request.user, pk)
        version = _version_param(request, doc)

        def on_send(byte_range):
            services.record_download(request.user, doc, version, request, "api", byte_range)

        return streaming.respond(request, version, on_send)

    def head(self, request, pk):
        return self.get(request, pk)


class VersionListView(generics.ListAPIView):
    permission_classes = [IsTenantMember]
    serializer_class = s.DocumentVersionSerializer

    def get_queryset(self):
        return selectors.versions_of(self.request.user, self.kwargs["pk"])


class StartWorkflowView(APIView):
    permission_classes = [IsTenantMember]

    @extend_schema(request=None, responses=s.DocumentSerializer)
    def post(self, request, pk):
        doc = selectors.document(request.user, pk)
        doc = services.start_workflow_by_hand(request.user, doc, request)
        return document_response(request, _reload(request.user, doc))


# --- signed URLs (no bearer token: the signature is the credential) ---------------------------


def _signed_target(operation: str, request, pk):
    grant = signing.verify(operation, pk, request.query_params)
    doc = Document.objects.filter(pk=pk).first()
    if doc is None:
        raise exceptions.NotFound()
    user = User.objects.filter(pk=grant.user_id, tenant_id=doc.tenant_id, is_active=True).first()
    if user is None:
        raise signing.LinkInvalid("This link is no longer valid.")
    # The issuer must still be allowed to see the document (visibility may have changed).
    if not selectors.can_see(user, doc):
        raise exceptions.NotFound()
    return grant, doc, user


class SignedDownloadView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(name, str, required=True) for name in ("v", "u", "exp", "sig")
        ],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request, pk):
        grant, doc, user = _signed_target(signing.DOWNLOAD, request, pk)
        version = selectors.version(doc, grant.version)

        def on_send(byte_range):
            services.record_download(user, doc, version, request, "signed_url", byte_range)

        return streaming.respond(request, version, on_send)

    def head(self, request, pk):
        return self.get(request, pk)


class SignedUploadView(APIView):
    """The pre-signed PUT URL of the local backend: 200 with an ``ETag``, as S3 answers."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes: list = []

    @extend_schema(
        request={"application/octet-stream": OpenApiTypes.BINARY},
        responses={200: None},
    )
    def put(self, request, pk):
        grant, doc, user = _signed_target(signing.UPLOAD, request, pk)
        if doc.version >= grant.version:
            raise Conflict("This upload link was already used: the document has content.")
        services.check_can_upload_to(user, doc)
        filename = filename_from_headers(request)
        spool = _receive_body(request)
        try:
            doc = services.add_version(
                user,
                doc,
                spool,
                filename=filename,
                request=request,
                via="signed_url",
                first_only=True,
            )
        finally:
            spool.discard()
        return Response(status=200, headers={"ETag": f'"{doc.sha256}"'})
