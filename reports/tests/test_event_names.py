"""Every audit event is named in words, in reports and in the export, and users are found by name."""

from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import TAG_LABELS, AuditTag, tag_label
from tests.journeys import signed_in
from tests.personas import make_user


def test_every_audit_tag_has_a_label_in_words():
    missing = [tag for tag in AuditTag if tag not in TAG_LABELS]
    assert not missing, f"name these events in words in audit/tags.py TAG_LABELS: {missing}"
    for tag in AuditTag:
        label = tag_label(tag)
        assert label != str(tag) and ":" not in label and label[:1].isupper(), (tag, label)


def test_no_two_events_share_a_label():
    labels = [TAG_LABELS[tag] for tag in AuditTag]
    assert len(labels) == len(set(labels))


def test_the_examples_read_as_people_say_them():
    assert tag_label(AuditTag.AlertAcknowledged) == "Acknowledged an alert"
    assert tag_label(AuditTag.MfaVerified) == "Signed in with a security code"


def test_a_user_activity_report_names_sign_in_events_in_words(world):
    from audit.services import event_record

    event_record(tag=AuditTag.MfaVerified, actor=world.alice)
    page = signed_in(world.lena).get(reverse("audit:user_activity", args=[world.alice.pk])).content.decode()
    assert "Signed in with a security code" in page
    assert "account:mfa:verified" not in page


def test_a_user_is_found_by_full_name(world):
    response = signed_in(world.lena).post(
        reverse("audit:index"), {"find": "user", "username": "alice example"}
    )
    assert response["Location"] == reverse("audit:user_activity", args=[world.alice.pk])


def test_a_user_is_found_by_part_of_a_username(world):
    wendy = make_user("wendy.walker", world.north_social_care, first_name="Wendy", last_name="Walker")
    response = signed_in(world.lena).post(reverse("audit:index"), {"find": "user", "username": "y.walk"})
    assert response["Location"] == reverse("audit:user_activity", args=[wendy.pk])


def test_several_matches_are_listed_to_choose_from_within_the_la_only(world):
    make_user("amara", world.north_social_care, first_name="Amara", last_name="Example")
    make_user("sara", world.south_gp, first_name="Sara", last_name="Example")  # another LA: never listed
    response = signed_in(world.lena).post(reverse("audit:index"), {"find": "user", "username": "Example"})
    page = response.content.decode()
    assert response.status_code == 200
    listed = page[page.index('id="user-matches"') :]
    listed = listed[: listed.index("</div>")]
    assert "Alice Example" in listed and "Amara Example" in listed
    assert "Sara Example" not in listed and "Bob Example" not in listed
    event = AuditEvent.objects.get(tag=AuditTag.ReportLookup, actor=world.lena)
    assert event.additional["found"] is True
    assert event.additional["matches"] == len(listed.split("<li>")) - 1


def test_an_empty_user_search_asks_for_a_name(world):
    response = signed_in(world.lena).post(reverse("audit:index"), {"find": "user", "username": " "})
    page = response.content.decode()
    assert '<a href="#id_username">Enter a name or username</a>' in page
    assert "<title>Error: Audit reports - ContactPoint</title>" in page


def test_an_empty_index_number_search_asks_for_one(world):
    response = signed_in(world.lena).post(reverse("audit:index"), {"find": "record", "index_number": ""})
    assert "Enter an index number" in response.content.decode()


def test_a_national_auditor_finds_users_in_any_la(world):
    make_user("stella", world.south, Role.LA_TEAM)
    response = signed_in(world.nadia).post(reverse("audit:index"), {"find": "user", "username": "stella"})
    assert response.status_code == 303
