from django.urls import path

from lifecycle import views

app_name = "lifecycle"

urlpatterns = [
    path("<uuid:child_id>/", views.archived_record, name="archived_record"),
]
