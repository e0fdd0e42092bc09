from rest_framework import serializers

from docuflow.accounts.models import User
from docuflow.accounts.roles import Role


class LoginSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=256, trim_whitespace=False)


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=4096)


class SessionUserSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "role", "tenant_id"]

    def get_role(self, user) -> str | None:
        return user.role or None


class LoginResponseSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
    user = SessionUserSerializer()


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class TenantSerializer(serializers.Serializer):
    tenant_id = serializers.CharField()
    name = serializers.CharField()
    plan = serializers.CharField()
    documents_used = serializers.IntegerField()
    documents_limit = serializers.IntegerField()
    members_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class MemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "role", "is_active", "joined_at"]
        read_only_fields = fields


class MemberCreateSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Role.choices)
    password = serializers.CharField(
        max_length=256, required=False, trim_whitespace=False, write_only=True
    )


class MemberCreatedSerializer(MemberSerializer):
    initial_password = serializers.CharField(
        read_only=True, allow_null=True, help_text="Generated password, shown once."
    )

    class Meta(MemberSerializer.Meta):
        fields = [*MemberSerializer.Meta.fields, "initial_password"]
        read_only_fields = fields


class MemberUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    is_active = serializers.BooleanField(required=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Give at least one of role, is_active.")
        return attrs
