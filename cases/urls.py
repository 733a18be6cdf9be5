from django.urls import path

from cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list_page, name="list"),
    path("<int:case_id>/", views.case_detail_page, name="detail"),
]
