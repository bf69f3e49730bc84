from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("mfa/", views.mfa, name="mfa"),
    path("mfa/enrol/", views.mfa_enrol, name="mfa_enrol"),
    path("confirm/", views.reauthenticate, name="reauthenticate"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
]
