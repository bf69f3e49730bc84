from django.urls import path

from insight import views

app_name = "insight"

urlpatterns = [
    path("local-authority/", views.local, name="local"),
    path("local-authority/figures.csv", views.local_csv, name="local_csv"),
    path("national/", views.national, name="national"),
    path("national/figures.csv", views.national_csv, name="national_csv"),
]
