from django.urls import path

from linkage import views

app_name = "linkage"

urlpatterns = [
    path("", views.review_list, name="reviews"),
    path("<uuid:review_id>/", views.review_detail, name="review"),
]
