from django.urls import path

from coordination import views

app_name = "coordination"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("matches/<int:match_id>/propose-lead/", views.propose_lead, name="propose_lead"),
    path("proposals/<int:proposal_id>/accept/", views.accept_lead, name="accept_lead"),
    path(
        "involvements/<uuid:involvement_id>/confirm/", views.confirm_involvement, name="confirm_involvement"
    ),
    path("children/<uuid:child_id>/inform-the-family/", views.inform_family, name="inform_family"),
    path("leaflet/", views.leaflet, name="leaflet"),
    path("statistics/", views.statistics, name="statistics"),
    path("brokering/", views.brokering, name="brokering"),
]
