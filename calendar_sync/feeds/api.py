"""API for feed URLs: GET gives the signed-in person's private feed URL (a case's with
``?case=``), making one if needed; POST …/revoke/ replaces it (the old URL then 404s)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from calendar_sync.feeds import tokens
from cases.api.base import FirmMemberView
from cases.selectors import case_for_member


class FeedUrlSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="Private: anyone with it can read the calendar. Revoke it if it leaks.")
    case = serializers.IntegerField(allow_null=True, help_text="The case of a case feed; null for the person's own.")


class FeedUrlRevokeSerializer(serializers.Serializer):
    case = serializers.IntegerField(required=False, allow_null=True)


CASE_PARAMETER = OpenApiParameter("case", OpenApiTypes.INT, required=False,
                                  description="A case's feed instead of the person's own.")


class _FeedUrlBase(FirmMemberView):
    def _case(self, case_id):
        return case_for_member(self.membership, case_id) if case_id not in (None, "") else None

    def _answer(self, secret: str, case) -> Response:
        url = self.request.build_absolute_uri(tokens.feed_path(secret))
        return Response({"url": url, "case": case.pk if case else None})


class FeedUrlView(_FeedUrlBase):
    @extend_schema(parameters=[CASE_PARAMETER], responses={200: FeedUrlSerializer})
    def get(self, request):
        case = self._case(request.query_params.get("case"))
        return self._answer(tokens.feed_secret_for(membership=self.membership, case=case), case)


class FeedUrlRevokeView(_FeedUrlBase):
    @extend_schema(request=FeedUrlRevokeSerializer, responses={200: FeedUrlSerializer})
    def post(self, request):
        body = FeedUrlRevokeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = self._case(body.validated_data.get("case"))
        return self._answer(tokens.feed_token_revoke(membership=self.membership, case=case), case)
