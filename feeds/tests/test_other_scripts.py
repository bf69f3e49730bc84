"""Names in other scripts, and letters of other scripts that pass for Latin ones, meet the same keys.

The 2009 failure was a feed update that missed a shielded child and created a second, visible record.
A name the engine cannot read (no Latin letters) must not be a way round the shield check: every name
is transliterated to Latin before its keys are made (`matching.normalise.fold`).
"""

from children.models import Child
from feeds.models import RowOutcome
from feeds.tests.factories import feed_row, health_source
from feeds.tests.test_ingest import ingest
from tests.personas import make_child


def test_a_shielded_child_with_a_cyrillic_name_is_held_not_copied_into_a_visible_record(world):
    make_child(world, given_names="Анна", family_name="Иванова", shielded=True)
    report = ingest(
        health_source(world),
        [
            feed_row(
                given_names="Анна",
                family_name="Иванова",
                date_of_birth="2015-03-04",
                nhs_number=None,
                postcode=None,
                address_line=None,
                town=None,
            )
        ],
    )
    assert report.counts[RowOutcome.REVIEW] == 1 and report.counts[RowOutcome.CREATED] == 0
    assert not Child.objects.filter(shielded=False).exists()


def test_look_alike_letters_of_another_script_do_not_hide_a_shielded_child(world, shielded_child):
    # "Jasmine Okafor" typed with Cyrillic a, i, O, o (U+0430, U+0456, U+041E, U+043E): identical on screen.
    report = ingest(
        health_source(world),
        [
            feed_row(
                given_names="J\u0430sm\u0456ne",
                family_name="\u041ek\u0430f\u043er",
                date_of_birth="2015-03-04",
                postcode="BD1 1AA",
                nhs_number=None,
            )
        ],
    )
    assert report.counts[RowOutcome.REVIEW] == 1 and report.counts[RowOutcome.CREATED] == 0
    assert Child.objects.filter(shielded=False).count() == 0


def test_a_child_with_a_cyrillic_name_is_recognised_when_fed_again(world):
    source = health_source(world)
    row = feed_row(
        given_names="Анна",
        family_name="Иванова",
        nhs_number=None,
        postcode=None,
        address_line=None,
        town=None,
    )
    assert ingest(source, [row], batch_id="b1").counts[RowOutcome.CREATED] == 1
    assert ingest(source, [row], batch_id="b2").counts[RowOutcome.CREATED] == 0
    assert Child.objects.count() == 1


def test_look_alike_letters_transliterated_by_sound_do_not_hide_a_shielded_child(world):
    # "Pearce" typed with Cyrillic Er, Ie, A, Es, Ie: transliterated by sound it would read "Rearse".
    make_child(world, given_names="Holly", family_name="Pearce", shielded=True)
    report = ingest(
        health_source(world),
        [
            feed_row(
                given_names="\u041d\u043ell\u0443",  # "Holly" with Cyrillic En, O, U: "Nollu" by sound
                family_name="\u0420\u0435\u0430r\u0441\u0435",
                date_of_birth="2015-03-04",
                postcode="BD1 1AA",
                nhs_number=None,
            )
        ],
    )
    assert report.counts[RowOutcome.REVIEW] == 1 and report.counts[RowOutcome.CREATED] == 0
