from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import include, path

from access.context_processors import home_url_name
from feeds.api import api as feeds_api
from reports import operations


def home(request: HttpRequest) -> HttpResponse:
    return redirect(home_url_name(request))


urlpatterns = [
    path("", home, name="home"),
    path("account/", include("accounts.urls")),
    path("children/", include("children.urls")),
    path("archive/", include("lifecycle.urls")),
    path("moves/", include("lifecycle.moves_urls")),
    path("coordination/", include("coordination.urls")),
    path("team/alerts/", include("oversight.urls")),
    path("team/", include("team.urls")),
    path("training/", include("training.urls")),
    path("audit/", include("reports.urls", namespace="audit")),
    path("data-quality/", operations.data_quality, name="data_quality"),
    path("administration/", include("administration.urls")),
    path("service-health/", operations.service_health, name="service_health"),
    path("reviews/", include("linkage.urls")),
    path("management-information/", include("insight.urls")),
    path("corrections/", include("corrections.urls")),
    path("api/feeds/v1/", feeds_api.urls),
]
