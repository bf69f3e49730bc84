from django.urls import path

from lifecycle import views

app_name = "lifecycle"

urlpatterns = [
    path("find/", views.archive_find, name="archive_find"),
    path("<uuid:child_id>/", views.archived_record, name="archived_record"),
]
