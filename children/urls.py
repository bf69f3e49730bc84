from django.urls import path

from children import views

app_name = "children"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("search/results/<slug:search_id>/", views.search_results, name="search_results"),
    path("<uuid:child_id>/purpose/", views.purpose, name="purpose"),
    path("<uuid:child_id>/", views.record, name="record"),
    path("<uuid:child_id>/involvement/new/", views.involvement_new, name="involvement_new"),
    path(
        "<uuid:child_id>/involvement/<uuid:involvement_id>/end/",
        views.involvement_end,
        name="involvement_end",
    ),
    path("<uuid:child_id>/lead-professional/", views.lead_professional, name="lead_professional"),
    path("<uuid:child_id>/caf/", views.caf, name="caf"),
    path("<uuid:child_id>/emergency-access/", views.override, name="override"),
]
