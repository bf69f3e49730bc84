"""The sign-in lockout must not tell anyone which usernames exist.

`login.user` counted an existing account's failures under its id and an unknown name's under the name,
case-folded. A name in other letter case is no account ("ALICE" does not sign in as alice), so it was
counted under the name: for an unknown name that is the same counter as the name itself, for a real one
it is not. Ten wrong passwords for a name, then one for the same name in capitals, therefore answered
"Too many attempts" for a name nobody has and the usual failure for a real account: an enumeration
oracle beside the identical answers and timings the sign-in page takes care to give.
"""

from django.test import Client
from django.urls import reverse

from accounts.forms import GENERIC_FAILURE, THROTTLED


def _sign_in(username: str, password: str, ip: str):
    return Client().post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _answer_after_ten_failures(username: str, variant: str, network: int) -> str:
    for i in range(10):
        failed = _sign_in(username, f"wrong password {i}", ip=f"10.{network}.{i}.1")
        assert GENERIC_FAILURE in failed.content.decode()
    page = _sign_in(variant, "another wrong password", ip=f"10.{network}.99.1").content.decode()
    return "locked" if THROTTLED in page else "failed" if GENERIC_FAILURE in page else "other"


def test_a_locked_name_in_other_letter_case_answers_alike_for_a_real_and_an_unknown_account(world):
    real = _answer_after_ten_failures("alice", "ALICE", network=61)
    unknown = _answer_after_ten_failures("nobody-here", "NOBODY-HERE", network=62)
    assert real == unknown, (
        f"after ten failures the capitalised name answered '{real}' for a real account and '{unknown}' for "
        "an unknown one: the lockout tells which usernames exist"
    )
    assert real == "locked"


def test_every_spelling_of_a_real_account_name_shares_its_lock(world):
    """Each variant counts where the account's own name counts, whatever it is typed as."""
    for i in range(10):
        _sign_in(["Alice", "ALICE ", "\uff41lice", " alice", "aLiCe"][i % 5], f"wrong {i}", ip=f"10.63.{i}.1")
    assert THROTTLED in _sign_in("alice", "x", ip="10.63.99.1").content.decode()
