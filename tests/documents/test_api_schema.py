"""The documents API is described in the OpenAPI schema, with nothing drf-spectacular had to guess."""

from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from documents.urls import api_urlpatterns


def test_the_documents_api_is_in_the_schema_without_warnings():
    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/", include((api_urlpatterns, "api")))])

    schema = generator.get_schema(request=None, public=True)

    assert not GENERATOR_STATS, dict(GENERATOR_STATS._warn_cache) | dict(GENERATOR_STATS._error_cache)
    operations = {(p, method) for p, item in schema["paths"].items() for method in item}
    assert operations == {
        ("/api/cases/{case_id}/documents/", "get"),
        ("/api/cases/{case_id}/documents/", "post"),
        ("/api/documents/{document_id}/", "get"),
        ("/api/documents/{document_id}/versions/", "post"),
        ("/api/documents/{document_id}/versions/{number}/download/", "get"),
    }
    upload = schema["paths"]["/api/cases/{case_id}/documents/"]["post"]["requestBody"]["content"]
    assert upload["multipart/form-data"]["schema"]["$ref"] == "#/components/schemas/DocumentUploadRequest"
    download = schema["paths"]["/api/documents/{document_id}/versions/{number}/download/"]["get"]
    assert download["responses"]["200"]["content"]["application/octet-stream"]["schema"]["format"] == "binary"
