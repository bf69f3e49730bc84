from django.urls import path

from reports import views

app_name = "audit"

urlpatterns = [
    path("", views.index, name="index"),
    path("users/<int:user_id>/", views.user_activity_report, name="user_activity"),
    path("children/<uuid:child_id>/", views.child_access_report, name="child_access"),
    path("children/<uuid:child_id>/subject-access/", views.subject_access, name="subject_access"),
    path(
        "children/<uuid:child_id>/subject-access/pdf/",
        views.subject_access_download,
        name="subject_access_pdf",
    ),
    path("unexplained/", views.unexplained, name="unexplained"),
    path("export/", views.export, name="export"),
]
