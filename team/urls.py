from django.urls import path

from team import exports as export_views
from team import views as team_views

app_name = "team"

urlpatterns = [
    path("users/", team_views.users, name="users"),
    path("users/invite/", team_views.invite, name="invite"),
    path("users/<int:user_id>/", team_views.user_detail, name="user"),
    path("users/<int:user_id>/suspend/", team_views.suspend, name="suspend"),
    path("users/<int:user_id>/reinstate/", team_views.reinstate, name="reinstate"),
    path("users/<int:user_id>/close/", team_views.close, name="close"),
    path("users/<int:user_id>/reset-mfa/", team_views.reset_mfa, name="reset_mfa"),
    path("users/<int:user_id>/home-postcode/", team_views.home_postcode, name="home_postcode"),
    path("users/<int:user_id>/invitation/", team_views.resend_invitation, name="resend_invitation"),
    path(
        "users/<int:user_id>/invitation/address/",
        team_views.correct_invitation_address,
        name="correct_invitation_address",
    ),
    path("users/<int:user_id>/background-check/", team_views.background_check, name="background_check"),
    path("exports/", export_views.exports, name="exports"),
    path("exports/new/", export_views.export_new, name="export_new"),
    path("exports/<uuid:export_id>/", export_views.export_detail, name="export"),
    path("exports/<uuid:export_id>/decision/", export_views.export_decision, name="export_decision"),
    path("exports/<uuid:export_id>/download/", export_views.export_download, name="export_download"),
]
