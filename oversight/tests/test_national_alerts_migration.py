"""Migration oversight/0008 moves the alerts already raised about nationally managed accounts (an LA team
member's misuse) to the system administrator's queue, waiting or acknowledged; practitioners' alerts and
break-glass notices stay with their LA team."""

import pytest

from tests.migrations import migrate_to

BEFORE = [("oversight", "0007_exported_children_alert_kind"), ("accounts", "0011_open_email_unique")]


@pytest.mark.django_db(transaction=True)
def test_alerts_about_la_team_members_move_to_the_national_queue():
    executor = migrate_to(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Organisation = apps.get_model("accounts", "Organisation")
    User = apps.get_model("accounts", "User")
    Alert = apps.get_model("oversight", "Alert")
    la = Organisation.objects.create(kind="local_authority", name="Northshire Council", code="LA-N")
    team = User.objects.create(username="lena", username_skeleton="lena", role="la_team", organisation=la)
    worker = User.objects.create(
        username="alice", username_skeleton="alice", role="practitioner", organisation=la
    )
    holder = User.objects.create(
        username="owen", username_skeleton="owen", role="override_holder", organisation=la
    )
    about_team = Alert.objects.create(local_authority=la, kind="own_surname_search", raised_by=team).pk
    about_worker = Alert.objects.create(local_authority=la, kind="own_surname_search", raised_by=worker).pk
    break_glass = Alert.objects.create(local_authority=la, kind="shield_override", raised_by=holder).pk

    migrate_to(None)
    from oversight.models import Alert as Current

    national = dict(Current.objects.values_list("pk", "national"))
    assert national == {about_team: True, about_worker: False, break_glass: False}
