"""HTTP endpoints for sign-in, the tenant profile and its members."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from docuflow.accounts import selectors, serializers, services
from docuflow.accounts.permissions import CanManageOrReadOnly, IsTenantMember
from docuflow.accounts.throttles import LoginAccountThrottle, LoginIPThrottle


class LoginView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [LoginIPThrottle, LoginAccountThrottle]

    @extend_schema(
        request=serializers.LoginSerializer, responses=serializers.LoginResponseSerializer
    )
    def post(self, request):
        data = serializers.LoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user, tokens = services.login(request, **data.validated_data)
        return Response({**tokens, "user": serializers.SessionUserSerializer(user).data})


class RefreshView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(request=serializers.RefreshSerializer, responses=serializers.TokenPairSerializer)
    def post(self, request):
        data = serializers.RefreshSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(services.refresh(data.validated_data["refresh"]))


class LogoutView(APIView):
    """Spends the refresh token; works with an expired access token too."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(request=serializers.RefreshSerializer, responses={204: None})
    def post(self, request):
        data = serializers.RefreshSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.logout(data.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class TenantMeView(APIView):
    permission_classes = [IsTenantMember]

    @extend_schema(responses=serializers.TenantSerializer)
    def get(self, request):
        profile = selectors.tenant_profile(request.user.tenant)
        return Response(serializers.TenantSerializer(profile).data)


class MemberListView(generics.ListCreateAPIView):
    permission_classes = [CanManageOrReadOnly]
    serializer_class = serializers.MemberSerializer

    def get_queryset(self):
        return selectors.members_of(self.request.user)

    @extend_schema(
        request=serializers.MemberCreateSerializer,
        responses={201: serializers.MemberCreatedSerializer},
    )
    def post(self, request):
        data = serializers.MemberCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        member, generated = services.invite_member(
            request.user, fields["email"], fields["role"], fields.get("password")
        )
        member.initial_password = generated
        body = serializers.MemberCreatedSerializer(member).data
        return Response(body, status=status.HTTP_201_CREATED)


class MemberDetailView(generics.RetrieveAPIView):
    permission_classes = [CanManageOrReadOnly]
    serializer_class = serializers.MemberSerializer

    def get_object(self):
        return selectors.member(self.request.user, self.kwargs["pk"])

    @extend_schema(
        request=serializers.MemberUpdateSerializer, responses=serializers.MemberSerializer
    )
    def patch(self, request, pk):
        member = self.get_object()
        data = serializers.MemberUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        updated = services.update_member(
            request.user,
            member,
            role=data.validated_data.get("role"),
            is_active=data.validated_data.get("is_active"),
        )
        return Response(serializers.MemberSerializer(updated).data)


