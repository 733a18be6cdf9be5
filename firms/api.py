from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from firms import services
from firms.access import membership_of


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.CharField(help_text=_("Your sign-in e-mail address."))
    password = serializers.CharField(style={"input_type": "password"})
    otp = serializers.CharField(required=False, allow_blank=True,
                                help_text=_("6-digit code, when your firm requires two-factor."))


class TokenView(APIView):
    """Exchange an e-mail and password for an API token (``Authorization: Token …``)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = services.api_token_issue(request=request._request, **serializer.validated_data)
        return Response({"token": token.key})


class MembershipSerializer(serializers.Serializer):
    firm = serializers.SerializerMethodField()
    role = serializers.CharField()
    role_display = serializers.CharField(source="get_role_display")

    def get_firm(self, membership) -> dict:
        return {"id": membership.firm_id, "slug": membership.firm.slug, "name": membership.firm.name,
                "name_zh": membership.firm.name_zh}


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name_en = serializers.CharField()
    name_zh = serializers.CharField()
    display_name = serializers.CharField()
    external_kind = serializers.CharField()
    language = serializers.CharField()


class MeView(APIView):
    """The signed-in person, their firm and their role there."""

    @extend_schema(responses=inline_serializer("MeResponse", {
        "person": MeSerializer(),
        "firm": serializers.DictField(allow_null=True),
        "role": serializers.CharField(allow_null=True),
    }))
    def get(self, request):
        membership = membership_of(request)
        return Response({
            "person": MeSerializer(request.user).data,
            "firm": MembershipSerializer(membership).data["firm"] if membership else None,
            "role": membership.role if membership else None,
        })
