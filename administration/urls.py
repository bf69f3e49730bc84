from django.urls import path

from administration import national_accounts, organisations, views

app_name = "administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("organisations/", organisations.organisations, name="organisations"),
    path("organisations/new/", organisations.organisation_new, name="organisation_new"),
    path("organisations/<int:organisation_id>/", organisations.organisation, name="organisation"),
    path(
        "organisations/<int:organisation_id>/edit/", organisations.organisation_edit, name="organisation_edit"
    ),
    path(
        "organisations/<int:organisation_id>/close/",
        organisations.organisation_close_view,
        name="organisation_close",
    ),
    path("accounts/", national_accounts.accounts, name="accounts"),
    path("accounts/invite/", national_accounts.invite, name="account_invite"),
    path("accounts/<int:user_id>/", national_accounts.account, name="account"),
    path("accounts/<int:user_id>/suspend/", national_accounts.suspend, name="account_suspend"),
    path("accounts/<int:user_id>/reinstate/", national_accounts.reinstate, name="account_reinstate"),
    path("accounts/<int:user_id>/close/", national_accounts.close, name="account_close"),
    path(
        "accounts/<int:user_id>/home-postcode/",
        national_accounts.home_postcode,
        name="account_home_postcode",
    ),
    path(
        "accounts/<int:user_id>/invitation/",
        national_accounts.resend_invitation,
        name="account_resend_invitation",
    ),
    path(
        "accounts/<int:user_id>/invitation/address/",
        national_accounts.correct_invitation_address,
        name="account_correct_invitation_address",
    ),
    path(
        "accounts/<int:user_id>/background-check/",
        national_accounts.background_check,
        name="account_background_check",
    ),
]
