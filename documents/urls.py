"""URLs of the documents app.

In config/urls.py: ``*documents_urls.api_urlpatterns`` in ``api_patterns`` (under /api/),
and ``path("documents/", include("documents.urls"))`` for the pages.
"""

from django.urls import path

from documents import api, views

app_name = "documents"

urlpatterns = [
    path("cases/<int:case_id>/upload/", views.document_upload, name="upload"),
    path("<int:document_id>/versions/", views.document_version_add, name="version-add"),
    path("<int:document_id>/versions/<int:number>/download/", views.document_version_download,
         name="download"),
]

api_urlpatterns = [
    path("cases/<int:case_id>/documents/", api.CaseDocumentsView.as_view(), name="case-documents"),
    path("documents/<int:document_id>/", api.DocumentDetailView.as_view(), name="document-detail"),
    path("documents/<int:document_id>/versions/", api.DocumentVersionsView.as_view(),
         name="document-versions"),
    path("documents/<int:document_id>/versions/<int:number>/download/",
         api.DocumentVersionDownloadView.as_view(), name="document-version-download"),
]
