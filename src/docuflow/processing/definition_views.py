"""``/api/v1/workflow-definitions/`` and ``/api/v1/workflow-bindings/`` (MANAGER, ADMIN)."""

from __future__ import annotations

import json

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from docuflow.accounts.permissions import CanManage
from docuflow.processing import definitions


class DefinitionSerializer(serializers.Serializer):
    name = serializers.CharField()
    arn = serializers.CharField()
    shipped = serializers.SerializerMethodField()
    definition = serializers.SerializerMethodField()
    revision_id = serializers.UUIDField()
    bound_to = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_shipped(self, machine) -> bool:
        return definitions.is_shipped(machine)

    def get_definition(self, machine) -> dict:
        return json.loads(machine.definition)

    def get_bound_to(self, machine) -> list[str]:
        return self.context["bindings"].get(str(machine.pk), [])


class DefinitionInputSerializer(serializers.Serializer):
    definition = serializers.JSONField(help_text="The ASL definition: an object or JSON text.")


class DefinitionCreateSerializer(DefinitionInputSerializer):
    name = serializers.CharField(max_length=80)


class DiagnosticsSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    diagnostics = serializers.ListField(child=serializers.DictField())


class BindingSerializer(serializers.Serializer):
    document_type = serializers.SerializerMethodField()
    state_machine = serializers.CharField(source="state_machine.name")
    state_machine_arn = serializers.CharField(source="state_machine.arn")

    def get_document_type(self, binding) -> str:
        return binding.document_type or definitions.DEFAULT


class BindInputSerializer(serializers.Serializer):
    state_machine = serializers.CharField(max_length=80, help_text="A workflow name.")


def _one(request, machine, code=200) -> Response:
    context = {"bindings": definitions.bindings_of(request.user.tenant_id)}
    return Response(DefinitionSerializer(machine, context=context).data, status=code)


class DefinitionListView(APIView):
    permission_classes = [CanManage]

    @extend_schema(responses=DefinitionSerializer(many=True))
    def get(self, request):
        context = {"bindings": definitions.bindings_of(request.user.tenant_id)}
        machines = definitions.machines_of(request.user)
        return Response(DefinitionSerializer(machines, many=True, context=context).data)

    @extend_schema(request=DefinitionCreateSerializer, responses={201: DefinitionSerializer})
    def post(self, request):
        data = DefinitionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        machine = definitions.create(
            request.user, data.validated_data["name"], data.validated_data["definition"], request
        )
        return _one(request, machine, 201)


class DefinitionDetailView(APIView):
    permission_classes = [CanManage]

    @extend_schema(responses=DefinitionSerializer)
    def get(self, request, name):
        return _one(request, definitions.machine_named(request.user, name))

    @extend_schema(request=DefinitionInputSerializer, responses=DefinitionSerializer)
    def put(self, request, name):
        machine = definitions.machine_named(request.user, name)
        data = DefinitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        definitions.replace(request.user, machine, data.validated_data["definition"], request)
        return _one(request, definitions.machine_named(request.user, name))

    @extend_schema(responses={204: None})
    def delete(self, request, name):
        definitions.delete(request.user, definitions.machine_named(request.user, name), request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ValidateView(APIView):
    """Check a definition without saving it (the diagnostics of the validator)."""

    permission_classes = [CanManage]

    @extend_schema(request=DefinitionInputSerializer, responses=DiagnosticsSerializer)
    def post(self, request):
        data = DefinitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        problems = definitions.validate(data.validated_data["definition"])
        return Response({"valid": not problems, "diagnostics": problems})


class BindingListView(APIView):
    permission_classes = [CanManage]

    @extend_schema(responses=BindingSerializer(many=True))
    def get(self, request):
        return Response(BindingSerializer(definitions.bindings(request.user), many=True).data)


class BindingDetailView(APIView):
    """``PUT /workflow-bindings/{TYPE|default}/ {state_machine}``: activate a workflow."""

    permission_classes = [CanManage]

    @extend_schema(request=BindInputSerializer, responses=BindingSerializer)
    def put(self, request, document_type):
        data = BindInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        machine = definitions.machine_named(request.user, data.validated_data["state_machine"])
        binding = definitions.bind(request.user, document_type, machine, request)
        return Response(BindingSerializer(binding).data)

    @extend_schema(responses={204: None})
    def delete(self, request, document_type):
        definitions.unbind(request.user, document_type, request)
        return Response(status=status.HTTP_204_NO_CONTENT)
