"""generate_children and load_demo: counts, resuming, idempotency, every role, and refusing production."""

import io
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from access.policy import prerequisites
from accounts.models import Organisation, OrganisationKind, Role, User
from children.models import Child
from children.selectors import child_details
from children.synthetic.demo_accounts import is_demo_account
from tests.personas import make_user

pytestmark = pytest.mark.django_db


def _generate(**options):
    out = io.StringIO()
    call_command("generate_children", "--today=2026-11-25", no_progress=True, stdout=out, **options)
    return out.getvalue()


def _identities():
    return Counter(
        (d.family_name, d.given_names, d.date_of_birth)
        for d in (child_details(c) for c in Child.objects.all())
    )


def test_generate_children_writes_exactly_the_count_asked_for():
    output = _generate(count=45, seed=3, batch_size=20)
    assert Child.objects.count() == 45
    assert "Wrote 45 children" in output and "children/s" in output


def test_generate_children_resumed_with_skip_gives_the_same_children_as_one_run():
    _generate(count=25, seed=3)
    _generate(count=20, seed=3, skip=25)
    resumed = _identities()
    Child.objects.all().delete()
    _generate(count=45, seed=3)
    assert _identities() == resumed


def test_generate_children_appends_to_an_index_that_already_holds_children():
    _generate(count=20, seed=3)
    _generate(count=20, seed=4)
    assert Child.objects.count() == 40
    assert Child.objects.values("index_number").distinct().count() == 40


def test_generate_children_can_fill_one_named_la():
    _generate(count=5, seed=3)
    _generate(count=15, seed=5, la=["DEMO-BRS"])
    bristol = Organisation.objects.get(code="DEMO-BRS")
    assert Child.objects.filter(local_authority=bristol).count() >= 15


def test_generate_children_refuses_an_unknown_la():
    with pytest.raises(CommandError, match="No local authority"):
        _generate(count=5, la=["NOWHERE"])


def test_generate_children_gives_services_to_an_la_that_has_none():
    la = Organisation.objects.create(kind=OrganisationKind.LOCAL_AUTHORITY, name="Testshire", code="LA-T")
    _generate(count=10, la=["LA-T"])
    assert Child.objects.filter(local_authority=la).count() == 10
    assert Organisation.objects.filter(local_authority=la, kind=OrganisationKind.SCHOOL).exists()


def _load(children=12):
    out = io.StringIO()
    call_command("load_demo", children=children, no_progress=True, stdout=out)
    return out.getvalue()


def _passwords(output):
    """Username -> password from the printed table."""
    rows = [line.split() for line in output.splitlines() if " demo-" in line]
    return {
        cells[i]: cells[i + 1] for cells in rows for i, cell in enumerate(cells) if cell.startswith("demo-")
    }


def test_load_demo_is_idempotent_and_tops_up_to_the_count():
    _load(12)
    counts = (Organisation.objects.count(), User.objects.count(), Child.objects.count())
    second = _load(12)
    assert (Organisation.objects.count(), User.objects.count(), Child.objects.count()) == counts
    assert counts[2] == 12
    assert "none added" in second
    _load(20)
    assert Child.objects.count() == 20


def test_load_demo_creates_a_vetted_account_for_every_role_and_prints_a_working_password():
    output = _load()
    accounts = User.objects.filter(username__startswith="demo-")
    assert {u.role for u in accounts} == set(Role.values)
    assert all(is_demo_account(u) and prerequisites(u) for u in accounts)
    passwords = _passwords(output)
    assert set(passwords) == {u.username for u in accounts}
    assert all(authenticate(username=name, password=pw) for name, pw in passwords.items())


def test_load_demo_sets_new_passwords_at_every_run():
    first = _passwords(_load())
    second = _passwords(_load())
    assert all(first[name] != second[name] for name in first)
    assert authenticate(username="demo-teacher", password=first["demo-teacher"]) is None


def test_load_demo_prints_searches_that_find_twins_and_a_shielded_child():
    output = _load()
    assert "Twins with a hyphenated family name" in output and "-> 2 match(es)" in output
    assert "A shielded child" in output
    assert Child.objects.filter(shielded=True).exists()


def test_load_demo_never_resets_a_real_account_with_a_demo_username(world):
    make_user("demo-teacher", world.north_school)
    with pytest.raises(CommandError, match="not a demo account"):
        _load()


@pytest.mark.parametrize("command", ["load_demo", "generate_children"])
def test_it_refuses_without_demo_data_allowed(settings, command):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="DEMO_DATA_ALLOWED"):
        call_command(command, count=1) if command == "generate_children" else call_command(command)
    assert not Organisation.objects.exists()


def test_it_refuses_with_debug_on(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo")


def test_it_refuses_under_the_production_settings_module(settings):
    settings.SETTINGS_MODULE = "config.settings.production"
    with pytest.raises(CommandError, match=r"only for config\.settings\.local or config\.settings\.test"):
        call_command("load_demo")


def _totp_secrets(output):
    """Username -> TOTP secret (the column after the password) from the printed table."""
    rows = [line.split() for line in output.splitlines() if " demo-" in line]
    return {
        cells[i]: cells[i + 2] for cells in rows for i, cell in enumerate(cells) if cell.startswith("demo-")
    }


def test_load_demo_prints_each_accounts_totp_secret_and_keeps_it_across_runs():
    import base64

    from django_otp.oath import totp

    from accounts.services import confirmed_totp_device

    first = _totp_secrets(_load())
    second = _totp_secrets(_load())
    assert first == second
    for username, secret in first.items():
        device = confirmed_totp_device(User.objects.get(username=username))
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        assert key == device.bin_key
        assert device.verify_token(f"{totp(key):06d}")


def test_demo_totp_prints_a_code_that_signs_the_demo_account_in():
    _load()
    out = io.StringIO()
    call_command("demo_totp", "demo-teacher", stdout=out)
    from accounts.services import confirmed_totp_device

    assert confirmed_totp_device(User.objects.get(username="demo-teacher")).verify_token(
        out.getvalue().strip()
    )
