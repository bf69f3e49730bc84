from django.shortcuts import redirect
from django.urls import include, path

urlpatterns = [
    path("", lambda request: redirect("children:search"), name="home"),
    path("account/", include("accounts.urls")),
    path("children/", include("children.urls")),
    path("team/", include("accounts.team_urls")),
    path("audit/", include("audit.urls", namespace="audit")),
]
