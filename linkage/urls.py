from django.urls import path

from linkage import merge_views, views

app_name = "linkage"

urlpatterns = [
    path("", views.review_list, name="reviews"),
    path("<uuid:review_id>/", views.review_detail, name="review"),
    path("merge/", merge_views.merge_find, name="merge_find"),
    path("merge/<uuid:survivor_id>/<uuid:duplicate_id>/", merge_views.merge_compare, name="merge_compare"),
    path("merges/<uuid:merge_id>/", merge_views.merge_detail, name="merge_detail"),
]
