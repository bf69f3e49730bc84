from django.urls import path

from oversight import views

app_name = "oversight"

urlpatterns = [
    path("", views.alerts, name="alerts"),
    path("<int:alert_id>/acknowledge/", views.acknowledge_alert, name="alert_acknowledge"),
]
