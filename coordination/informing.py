"""Whom a practitioner must tell that they have recorded an involvement, by the child's age.

Under 12, the parents or carers; from 12, the parents or carers and the young person; from 16, the
young person only (who may choose to involve their parents or carers).

A sensitive service (sexual health, mental health, substance misuse) is recorded only with consent, or
where significant harm is suspected, and is hidden from ordinary practitioners: its practitioner tells
only the person who agreed to it being recorded, never the parents by rule (a young person's consent to
a sexual health service is theirs to give, and a parent may be the risk).
"""

from dataclasses import dataclass
from datetime import date

YOUNG_PERSON_TOO_FROM = 12
YOUNG_PERSON_ONLY_FROM = 16


SENSITIVE_SERVICE_SUMMARY = (
    "Yours is a sensitive service: other practitioners are told only that the LA team can broker contact "
    "with another service. Tell only the person who agreed to it being recorded (the young person, or for "
    "a young child the parent or carer who agreed). Tell nobody else unless they agree, or your "
    "safeguarding procedures require it."
)


@dataclass(frozen=True)
class Duty:
    tell_parents: bool
    tell_young_person: bool
    sensitive_service: bool = False

    @property
    def summary(self) -> str:
        if self.sensitive_service:
            return SENSITIVE_SERVICE_SUMMARY
        if self.tell_parents and self.tell_young_person:
            return "Tell the child's parents or carers, and the young person, that you have recorded your involvement."
        if self.tell_young_person:
            return "Tell the young person that you have recorded your involvement. They are 16 or over: tell their parents or carers only if the young person agrees."
        return "Tell the child's parents or carers that you have recorded your involvement."


def age_on(date_of_birth: date, today: date) -> int:
    before_birthday = (today.month, today.day) < (date_of_birth.month, date_of_birth.day)
    return today.year - date_of_birth.year - int(before_birthday)


def duty_to_inform(*, date_of_birth: date, today: date, sensitive_service: bool = False) -> Duty:
    if sensitive_service:  # whoever consented, not a rule by age
        return Duty(tell_parents=False, tell_young_person=False, sensitive_service=True)
    age = age_on(date_of_birth, today)
    if age >= YOUNG_PERSON_ONLY_FROM:
        return Duty(tell_parents=False, tell_young_person=True)
    return Duty(tell_parents=True, tell_young_person=age >= YOUNG_PERSON_TOO_FROM)
