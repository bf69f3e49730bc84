from django.urls import path

from corrections import views

app_name = "corrections"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("mine/", views.mine, name="mine"),
    path("<uuid:correction_id>/", views.decide, name="decide"),
    path("child/<uuid:child_id>/", views.choose, name="choose"),
    path("child/<uuid:child_id>/<slug:field>/", views.propose, name="propose"),
    path("complaints/", views.complaints, name="complaints"),
    path("complaints/child/<uuid:child_id>/", views.complaint_new, name="complaint_new"),
    path("complaints/<uuid:complaint_id>/", views.complaint, name="complaint"),
]
