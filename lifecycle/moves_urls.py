from django.urls import path

from lifecycle import moves_views

app_name = "moves"

urlpatterns = [
    path("transfers/", moves_views.transfers, name="transfers"),
    path("transfers/<uuid:transfer_id>/", moves_views.transfer, name="transfer"),
    path(
        "transfers/<uuid:transfer_id>/withdraw/",
        moves_views.transfer_withdraw_page,
        name="transfer_withdraw",
    ),
    path("<uuid:child_id>/transfer/", moves_views.transfer_new, name="transfer_new"),
    path("<uuid:child_id>/address/", moves_views.address, name="address"),
    path("<uuid:child_id>/new-identity/", moves_views.new_identity, name="new_identity"),
    path("<uuid:child_id>/shielding/", moves_views.shielding, name="shielding"),
    path("<uuid:child_id>/archive-age/", moves_views.archive_age, name="archive_age"),
]
