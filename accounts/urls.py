from django.urls import path
from django.views.i18n import JavaScriptCatalog

from accounts import passkeys, views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("mfa/", views.mfa, name="mfa"),
    path("mfa/enrol/", views.mfa_enrol, name="mfa_enrol"),
    path("mfa/passkeys/", views.passkeys, name="passkeys"),
    # The passkey JSON endpoints sit under /account/mfa/ so a password-only session can reach them
    # to verify; the views themselves refuse anonymous use and registration before verification.
    path(
        "mfa/webauthn/registration/begin/",
        passkeys.PasskeyRegistrationBegin.as_view(),
        name="passkey_registration_begin",
    ),
    path(
        "mfa/webauthn/registration/complete/",
        passkeys.PasskeyRegistrationComplete.as_view(),
        name="passkey_registration_complete",
    ),
    path(
        "mfa/webauthn/authentication/begin/",
        passkeys.PasskeyAuthenticationBegin.as_view(),
        name="passkey_authentication_begin",
    ),
    path(
        "mfa/webauthn/authentication/complete/",
        passkeys.PasskeyAuthenticationComplete.as_view(),
        name="passkey_authentication_complete",
    ),
    path(
        "mfa/webauthn/jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="passkey_js_catalog",
    ),
    path("confirm/", views.reauthenticate, name="reauthenticate"),
    path("password/", views.password_change, name="password_change"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
]
