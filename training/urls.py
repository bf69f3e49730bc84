from django.urls import path

from training import views

app_name = "training"
urlpatterns = [
    path("", views.course, name="course"),
    path("assessment/", views.assessment, name="assessment"),
    path("<slug:slug>/", views.page, name="page"),
]
