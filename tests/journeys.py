"""Small helpers that walk a signed-in client through the practitioner journey."""

from django.test import Client
from django.urls import reverse

from accounts.models import User
from children.models import Child
from tests.personas import PASSWORD


def signed_in(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def state_purpose(client: Client, child: Child, purpose: str = "providing_service", detail: str = "") -> None:
    response = client.post(
        reverse("children:purpose", args=[child.pk]), {"purpose": purpose, "detail": detail}
    )
    assert response.status_code == 302, response.status_code
