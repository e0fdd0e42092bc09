"""HTTP endpoints: the approvals inbox, certification requests (seed 000), e-mail links."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from docuflow.accounts.permissions import IsTenantMember
from docuflow.api.errors import Gone, UnprocessableEntity
from docuflow.approvals import document_review, links, selectors, services
from docuflow.approvals import serializers as s
from docuflow.approvals.models import HumanTask
from docuflow.documents import selectors as document_selectors
from docuflow.documents.serializers import DocumentSerializer
from docuflow.documents.views import document_response

STATUS_FILTERS = [*HumanTask.Status.values, "ANY"]


def _task_response(request, task: HumanTask, code: int = 200) -> Response:
    task = selectors.task_in_tenant(request.user, task.pk)
    return Response(s.HumanTaskSerializer(task, context={"request": request}).data, status=code)


class InboxView(generics.ListAPIView):
    """Tasks I may decide: by my role, as a named candidate, or as the assignee."""

    permission_classes = [IsTenantMember]
    serializer_class = s.HumanTaskSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=STATUS_FILTERS, description="default PENDING"),
            OpenApiParameter("subject_type", str, enum=HumanTask.Subject.values),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        wanted = (params.get("status") or "PENDING").upper()
        if wanted not in STATUS_FILTERS:
            raise UnprocessableEntity({"status": [f"Must be one of {', '.join(STATUS_FILTERS)}."]})
        subject_type = params.get("subject_type") or None
        if subject_type is not None and subject_type not in HumanTask.Subject.values:
            raise UnprocessableEntity({"subject_type": ["Must be document or certification."]})
        return selectors.inbox(self.request.user, status=wanted, subject_type=subject_type)


class TaskDetailView(APIView):
    permission_classes = [IsTenantMember]

    @extend_schema(responses=s.HumanTaskSerializer)
    def get(self, request, pk):
        return _task_response(request, selectors.visible_task(request.user, pk))


class ClaimView(APIView):
    permission_classes = [IsTenantMember]

    @extend_schema(request=None, responses=s.HumanTaskSerializer)
    def post(self, request, pk):
        task = services.claim(request.user, selectors.task_in_tenant(request.user, pk), request)
        return _task_response(request, task)


class UnclaimView(APIView):
    permission_classes = [IsTenantMember]

    @extend_schema(request=None, responses=s.HumanTaskSerializer)
    def post(self, request, pk):
        task = services.unclaim(request.user, selectors.task_in_tenant(request.user, pk), request)
        return _task_response(request, task)


class DecideView(APIView):
    permission_classes = [IsTenantMember]

    @extend_schema(request=s.DecideSerializer, responses=s.HumanTaskSerializer)
    def post(self, request, pk):
        task = selectors.task_in_tenant(request.user, pk)
        data = s.DecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.decide(
            request.user, task, data.validated_data["decision"], data.note, request=request
        )
        return _task_response(request, task)


class SettingsView(APIView):
    """Read (MANAGER, ADMIN) or change (ADMIN) the tenant's approval settings."""

    permission_classes = [IsTenantMember]

    def _check_read(self, request):
        from docuflow.accounts import roles

        if not roles.can_manage(request.user.role):
            raise exceptions.PermissionDenied("Only a MANAGER or ADMIN may see these settings.")

    @extend_schema(responses=s.ApprovalSettingsSerializer)
    def get(self, request):
        self._check_read(request)
        current = services.approval_settings(request.user.tenant_id)
        return Response(s.ApprovalSettingsSerializer(current).data)

    @extend_schema(request=s.ApprovalSettingsSerializer, responses=s.ApprovalSettingsSerializer)
    def patch(self, request):
        self._check_read(request)
        current = services.approval_settings(request.user.tenant_id)
        data = s.ApprovalSettingsSerializer(current, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        current = services.update_settings(request.user, data.validated_data, request)
        return Response(s.ApprovalSettingsSerializer(current).data)


# --- documents (seed 002) ---------------------------------------------------------------------


def _document_decision(request, pk, decision: str, serializer, field: str) -> Response:
    # 404 for what this user may not see
    doc = document_selectors.document(request.user, pk)
    data = serializer(data=request.data)
    data.is_valid(raise_exception=True)
    note = data.validated_data.get(field, "")
    document_review.decide_document(request.user, doc, decision, note, request=request)
    return document_response(request, document_selectors.document(request.user, pk))


class DocumentApproveView(APIView):
    """``POST /documents/{id}/approve/`` ``{notes?}``: the decision, the task and the
    workflow's token complete together; 409 unless the document waits for my decision."""

    permission_classes = [IsTenantMember]

    @extend_schema(request=s.DocumentApproveSerializer, responses=DocumentSerializer)
    def post(self, request, pk):
        return _document_decision(request, pk, "APPROVED", s.DocumentApproveSerializer, "notes")


class DocumentRejectView(APIView):
    """``POST /documents/{id}/reject/`` ``{reason}`` (required)."""

    permission_classes = [IsTenantMember]

    @extend_schema(request=s.DocumentRejectSerializer, responses=DocumentSerializer)
    def post(self, request, pk):
        return _document_decision(request, pk, "REJECTED", s.DocumentRejectSerializer, "reason")


# --- certification (seed 000) -------------------------------------------------------------


class CertificationSubmitView(APIView):
    permission_classes = [IsTenantMember]

    @extend_schema(
        request=s.CertificationCreateSerializer, responses={201: s.CertificationCreatedSerializer}
    )
    def post(self, request):
        data = s.CertificationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        req = services.submit_certification(request.user, **data.validated_data, request=request)
        return Response(
            {"requestId": str(req.pk), "executionArn": req.execution.arn},
            status=status.HTTP_201_CREATED,
        )


class CertificationDetailView(APIView):
    permission_classes = [IsTenantMember]

    @extend_schema(responses=s.CertificationSerializer)
    def get(self, request, pk):
        req = selectors.certification(request.user, pk)
        return Response(s.CertificationSerializer(req).data)


class CertificationCancelView(APIView):
    permission_classes = [IsTenantMember]

    @extend_schema(request=None, responses=s.CertificationSerializer)
    def post(self, request, pk):
        req = selectors.certification(request.user, pk)
        req = services.cancel_certification(request.user, req, request)
        return Response(s.CertificationSerializer(selectors.certification(request.user, pk)).data)


class CertificationListView(generics.ListAPIView):
    permission_classes = [IsTenantMember]
    serializer_class = s.CertificationSerializer

    def get_queryset(self):
        return selectors.certification_requests(self.request.user)


class CertificationApprovalView(APIView):
    permission_classes = [IsTenantMember]

    @extend_schema(request=s.CertificationApprovalSerializer, responses=s.CertificationSerializer)
    def post(self, request):
        data = s.CertificationApprovalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        req = selectors.certification_in_tenant(request.user, fields["requestId"])
        task = services.decide_certification(
            request.user,
            req,
            fields["decision"],
            data.note,
            task_token=fields.get("taskToken") or None,
            request=request,
        )
        body = s.CertificationSerializer(selectors.certification_in_tenant(request.user, req.pk))
        return Response(
            {**body.data, "decision": task.decision, "taskId": str(task.pk), "stage": task.stage}
        )


# --- e-mail links (server-rendered, no bearer token: the signature is the credential) -----


@method_decorator(csrf_exempt, name="dispatch")
class LinkView(View):
    """GET shows what the link would do; only the form's POST decides."""

    template = "approvals/link.html"

    def _refuse(self, request, exc: Exception, code: int):
        return render(request, "approvals/link_error.html", {"message": str(exc)}, status=code)

    def _page(self, request, link, action, *, code=200, error="", done=False, value=""):
        task = link.task
        context = {
            "task": task,
            "lines": task.details.get("lines", []),
            "recipient": link.recipient,
            "action": action,
            "decision": links.ACTIONS[action],
            "error": error,
            "done": done,
            "value": value,
        }
        return render(request, self.template, context, status=code)

    def get(self, request, signed):
        try:
            link, action = links.verify(signed)
        except links.LinkForged as exc:
            return self._refuse(request, exc, 403)
        except links.LinkGone as exc:
            return self._refuse(request, exc, 410)
        return self._page(request, link, action)

    def post(self, request, signed):
        try:
            link, action = links.verify(signed)
        except links.LinkForged as exc:
            return self._refuse(request, exc, 403)
        except links.LinkGone as exc:
            return self._refuse(request, exc, 410)
        if request.POST.get("confirm") != "yes":
            return self._page(request, link, action, code=422, error="Please confirm.")
        field = "reason" if action == "reject" else "notes"
        value = request.POST.get(field, "")
        try:
            services.decide(
                link.recipient,
                link.task,
                links.ACTIONS[action],
                value,
                request=request,
                via="email-link",
                link=link,
            )
        except UnprocessableEntity:
            return self._page(
                request, link, action, code=422, value=value,
                error="Please give a reason for the rejection." if action == "reject" else "Invalid input.",
            )  # fmt: skip
        except exceptions.PermissionDenied as exc:
            return self._refuse(request, exc.detail, 403)
        except (Gone, services.TaskNotPending) as exc:  # used meanwhile, or the task closed
            return self._refuse(request, exc.detail, 410)
        except exceptions.APIException as exc:  # e.g. claimed by someone else
            return self._refuse(request, exc.detail, exc.status_code)
        link.task.refresh_from_db()
        return self._page(request, link, action, done=True)
