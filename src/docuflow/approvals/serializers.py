"""Input validation and output shapes of the approvals and certification API."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from docuflow.accounts import roles
from docuflow.accounts.models import User
from docuflow.approvals import services
from docuflow.approvals.models import ApprovalSettings, CertificationRequest, HumanTask


class StrictCharField(serializers.CharField):
    """A string, not a number or a boolean turned into one."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictDecimalField(serializers.DecimalField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float | str | Decimal):
            self.fail("invalid")
        return super().to_internal_value(data)


class HumanTaskSerializer(serializers.ModelSerializer):
    candidate_users = serializers.SerializerMethodField()
    assignee = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()
    requested_by = serializers.SerializerMethodField()
    execution_arn = serializers.CharField(source="execution.arn", read_only=True)
    task_token = serializers.SerializerMethodField()
    can_decide = serializers.SerializerMethodField()

    class Meta:
        model = HumanTask
        fields = [
            "id", "subject_type", "subject_id", "title", "details", "stage", "state_name",
            "status", "candidate_roles", "candidate_users", "assignee", "claimed_at",
            "requested_by", "due_at", "escalate_after", "escalated_from", "decision",
            "decided_by", "decided_at", "notes", "reason", "created_at", "updated_at",
            "execution_arn", "can_decide", "task_token",
        ]  # fmt: skip

    def _user(self):
        return self.context["request"].user

    def get_candidate_users(self, task) -> list[dict]:
        return [{"id": str(u.pk), "email": u.email} for u in task.candidate_users.all()]

    def get_assignee(self, task) -> dict | None:
        return (
            {"id": str(task.assignee.pk), "email": task.assignee.email} if task.assignee else None
        )

    def get_decided_by(self, task) -> dict | None:
        user = task.decided_by
        return {"id": str(user.pk), "email": user.email} if user else None

    def get_requested_by(self, task) -> dict | None:
        user = task.requested_by
        return {"id": str(user.pk), "email": user.email} if user else None

    def get_can_decide(self, task) -> bool:
        return services.may_see_token(self._user(), task)

    def get_task_token(self, task) -> str | None:
        # A capability: shown only to whoever may decide the task now.
        return task.task_token_id if services.may_see_token(self._user(), task) else None


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["APPROVED", "REJECTED"])
    notes = StrictCharField(required=False, allow_blank=True, max_length=services.MAX_NOTE)
    reason = StrictCharField(required=False, allow_blank=True, max_length=services.MAX_NOTE)

    def to_internal_value(self, data):
        if isinstance(data, dict) and isinstance(data.get("decision"), str):
            data = {**data, "decision": data["decision"].upper()}
        return super().to_internal_value(data)

    def validate(self, attrs):
        if attrs["decision"] == "REJECTED" and not (attrs.get("reason") or "").strip():
            raise serializers.ValidationError({"reason": ["A reason is required to reject."]})
        return attrs

    @property
    def note(self) -> str:
        data = self.validated_data
        if data["decision"] == "REJECTED":
            return data.get("reason", "")
        return data.get("notes", "")


class ApprovalSettingsSerializer(serializers.ModelSerializer):
    parallel_approvers = serializers.ListField(
        child=serializers.UUIDField(), required=False, max_length=100
    )

    class Meta:
        model = ApprovalSettings
        fields = [
            "certification_cost_limit", "escalate_after_seconds", "link_lifetime_seconds",
            "second_stage_amount", "parallel_approvers", "parallel_required_approvals",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = ["updated_at"]

    def validate_parallel_approvers(self, value):
        tenant_id = self.instance.tenant_id
        wanted = list(dict.fromkeys(value))
        found = set(
            User.objects.filter(
                tenant_id=tenant_id, is_active=True, pk__in=wanted, role__in=roles.APPROVERS
            ).values_list("pk", flat=True)
        )
        unknown = [str(pk) for pk in wanted if pk not in found]
        if unknown:
            raise serializers.ValidationError(
                f"Not active members of this tenant who may approve: {', '.join(unknown)}."
            )
        return [str(pk) for pk in wanted]


class DocumentApproveSerializer(serializers.Serializer):
    notes = StrictCharField(required=False, allow_blank=True, max_length=services.MAX_NOTE)


class DocumentRejectSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=services.MAX_NOTE)

    def validate_reason(self, value):
        if not value.strip():
            raise serializers.ValidationError("A reason is required to reject.")
        return value


class CertificationCreateSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200)
    course = StrictCharField(max_length=200)
    cost = StrictDecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"))


class CertificationCreatedSerializer(serializers.Serializer):
    requestId = serializers.UUIDField()  # noqa: N815  (the seed's names)
    executionArn = serializers.CharField()  # noqa: N815


class CertificationApprovalSerializer(DecideSerializer):
    requestId = serializers.UUIDField()  # noqa: N815
    taskToken = StrictCharField(required=False, allow_blank=True, max_length=256)  # noqa: N815


class CertificationSerializer(serializers.ModelSerializer):
    """The seed's status shape, plus who asked and the approvals so far."""

    requestId = serializers.UUIDField(source="id", read_only=True)  # noqa: N815
    cost = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=False)
    requestDate = serializers.DateTimeField(source="request_date")  # noqa: N815
    decidedAt = serializers.DateTimeField(source="decided_at")  # noqa: N815
    decidedBy = serializers.SerializerMethodField()  # noqa: N815
    requester = serializers.EmailField(source="requester.email")
    executionArn = serializers.SerializerMethodField()  # noqa: N815
    approvals = serializers.SerializerMethodField()

    class Meta:
        model = CertificationRequest
        fields = [
            "requestId", "name", "course", "cost", "status", "requestDate", "decidedAt",
            "decidedBy", "requester", "executionArn", "approvals",
        ]  # fmt: skip

    def get_decidedBy(self, req) -> str | None:  # noqa: N802
        return req.decided_by.email if req.decided_by_id else None

    def get_executionArn(self, req) -> str | None:  # noqa: N802
        return req.execution.arn if req.execution_id else None

    def get_approvals(self, req) -> list[dict]:
        from docuflow.approvals.selectors import certification_tasks

        return [
            {
                "taskId": str(t.pk),
                "stage": t.stage,
                "status": t.status,
                "decidedBy": t.decided_by.email if t.decided_by_id else None,
                "decidedAt": serializers.DateTimeField().to_representation(t.decided_at)
                if t.decided_at
                else None,
                "notes": t.notes,
                "reason": t.reason,
            }
            for t in certification_tasks(req)
        ]
