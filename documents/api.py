"""The documents API. Thin: access through the selectors, changes through the services."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.selectors import case_for_member
from documents import selectors, services
from documents.models import Document, DocumentVersion
from documents.views import download_response
from firms.access import membership_of


class MemberSummarySerializer(serializers.Serializer):
    membership_id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="user.display_name")


class DocumentVersionSerializer(serializers.ModelSerializer):
    uploaded_by = MemberSummarySerializer(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DocumentVersion
        fields = ["number", "sha256", "size", "content_type", "original_name", "uploaded_by",
                  "uploaded_at", "text_status", "download_url"]
        read_only_fields = fields

    def get_download_url(self, version) -> str:
        path = reverse("api:document-version-download",
                       kwargs={"document_id": version.document_id, "number": version.number})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class DocumentSerializer(serializers.ModelSerializer):
    case_id = serializers.IntegerField(read_only=True)
    created_by = MemberSummarySerializer(read_only=True)
    versions = DocumentVersionSerializer(many=True, read_only=True, help_text="Newest first.")

    class Meta:
        model = Document
        fields = ["id", "case_id", "title", "created_by", "created_at", "versions"]
        read_only_fields = fields


def _file_field() -> serializers.FileField:
    # Empty files reach the service, which refuses them with the same words as the pages.
    return serializers.FileField(allow_empty_file=True, help_text=(
        "PDF, DOCX, XLSX, PNG, JPEG, TIFF, GIF, WebP, EML or MSG, judged by the content."))


class DocumentUploadSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    file = _file_field()


class DocumentVersionUploadSerializer(serializers.Serializer):
    file = _file_field()


class CaseDocumentsView(generics.ListAPIView):
    """A case's documents, newest first, each with its versions; POST uploads a new document."""

    serializer_class = DocumentSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the types
            return Document.objects.none()
        return selectors.documents_for_case(case=self._case())

    def _case(self):
        return case_for_member(membership_of(self.request), self.kwargs["case_id"])

    @extend_schema(request=DocumentUploadSerializer, responses={201: DocumentSerializer})
    def post(self, request, case_id: int):
        case = self._case()
        upload = DocumentUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        document = services.document_upload(case=case, membership=membership_of(request),
                                            title=upload.validated_data["title"],
                                            uploaded_file=upload.validated_data["file"])
        body = DocumentSerializer(selectors.with_versions(document), context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class DocumentDetailView(generics.RetrieveAPIView):
    """One document with all its versions, newest first."""

    serializer_class = DocumentSerializer

    def get_object(self):
        document = selectors.document_for_member(membership_of(self.request), self.kwargs["document_id"])
        return selectors.with_versions(document)


class DocumentVersionsView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=DocumentVersionUploadSerializer, responses={201: DocumentVersionSerializer},
                   description="Upload a new version of the document; earlier versions stay as they are.")
    def post(self, request, document_id: int):
        membership = membership_of(request)
        document = selectors.document_for_member(membership, document_id)
        upload = DocumentVersionUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        version = services.document_version_add(document=document, membership=membership,
                                                uploaded_file=upload.validated_data["file"])
        body = DocumentVersionSerializer(version, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class DocumentVersionDownloadView(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(
        OpenApiTypes.BINARY, description="The version's bytes as an attachment, with the content "
                                         "type detected at upload.")})
    def get(self, request, document_id: int, number: int):
        membership = membership_of(request)
        version = selectors.document_version_for_member(membership, document_id, number)
        handle = services.document_version_open_for_download(version=version, membership=membership)
        return download_response(version, handle)

    def perform_content_negotiation(self, request, force=False):
        # Any Accept header may ask for a file; errors still answer in JSON.
        return super().perform_content_negotiation(request, force=True)
