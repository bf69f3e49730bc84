"""The mandatory training course, held in code: its pages, its practice children and its question bank.

Nothing here reads the index. The practice children are invented, fixed and marked as examples, so a
course page can never show a real child (domain.md: synthetic data only).
"""

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class PracticeChild:
    """An invented child the course's examples talk about: never a record in the index."""

    name: str
    age: int
    situation: str


PRACTICE_CHILDREN = (
    PracticeChild("Example Child One", 7, "a school has concerns about attendance"),
    PracticeChild("Example Child Two", 3, "a health visitor is starting to work with the family"),
    PracticeChild(
        "Example Child Three", 15, "receives a sensitive service: only the LA team can broker contact"
    ),
    PracticeChild("Example Child Four", 10, "is shielded: their location must not be known"),
)

PAGES = (
    Page(
        "purpose",
        "Why you may look at a child's record",
        (
            "ContactPoint is a directory, not a case file. It tells you who else is working with a child, "
            "so that services can work together early.",
            "You may search for and open a record only for a child you are working with, or are about to "
            "work with, for a purpose you state each time. Curiosity, a favour for a colleague, or checking "
            "on your own family or neighbours is never a purpose.",
            "Every search, every record you open and every change you make is recorded, with your name, "
            "and may be reviewed by your local authority ContactPoint team and by national auditors.",
        ),
    ),
    Page(
        "consent",
        "Consent and information sharing",
        (
            "Most information in ContactPoint is held without consent, because the law requires it. "
            "Sharing it outside ContactPoint is allowed only by court order or law, to prevent or detect "
            "crime, for statutory child protection enquiries, or for a safeguarding board.",
            "Sensitive services (sexual health, mental health, substance misuse) are recorded only with "
            "consent, or where there is reasonable cause to suspect significant harm.",
            "Never download, copy, print or photograph records to keep. There is no bulk download, ever.",
        ),
    ),
    Page(
        "shielding",
        "Shielded records",
        (
            "A record is shielded when someone could cause the child or a carer significant harm if the "
            "child's location were known: for example domestic violence, witness protection or an "
            "adoptive placement at risk.",
            "You will see only the child's name, gender, date of birth and index number, and a note to "
            "contact the local authority ContactPoint team. Do not try to work out where the child is.",
            "Override holders may open a shielded record in an emergency. They must give a reason, and "
            "the LA team is alerted at once and investigates.",
        ),
    ),
    Page(
        "sensitive-services",
        "Sensitive services",
        (
            "When a sensitive service is working with a child you see only that the LA team can broker "
            "contact. Ask the LA team: they will pass on your details with the child's interests in mind.",
            "Never ask the child, family or another practitioner to tell you which sensitive service it is.",
        ),
    ),
    Page(
        "misuse",
        "Misuse and its consequences",
        (
            "ContactPoint watches for misuse as it happens: searching your own family name, opening many "
            "records in an hour, opening records you did not find by a search or are not working with, "
            "looking at many children from other local authorities, and unusual activity outside working "
            "hours.",
            "Your LA team is alerted, and above a hard limit your account is suspended at once and your "
            "sessions end. Misuse is a disciplinary matter and may be a criminal offence under data "
            "protection law.",
            'In 2009, five users searched for their own relatives "to test the system". Do not: if you '
            "need to practise, use the examples in this course.",
        ),
    ),
)


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    options: tuple[str, ...]
    answer: int  # index into options


BANK = (
    Question(
        "purpose",
        "When may you open a child's record?",
        (
            "When you are working with the child, for a purpose you state",
            "Whenever you are signed in",
            "When a colleague asks you to look",
        ),
        0,
    ),
    Question(
        "own-family",
        "You want to check the system works. What may you search for?",
        ("Your own family name", "A neighbour's child", "Nothing: use the course's practice examples"),
        2,
    ),
    Question(
        "recorded",
        "What is recorded when you open a record?",
        ("Nothing", "Who opened it, when and for what purpose", "Only the child's name"),
        1,
    ),
    Question(
        "shielded-seen",
        "What does an ordinary practitioner see on a shielded record?",
        ("Everything", "The address only", "Name, gender, date of birth, index number and who to contact"),
        2,
    ),
    Question(
        "shielded-why",
        "Why is a record shielded?",
        (
            "The child is famous",
            "Someone could cause significant harm if the child's location were known",
            "The family did not consent",
        ),
        1,
    ),
    Question(
        "sensitive",
        "A record says the LA team can broker contact with a sensitive service. What do you do?",
        ("Ask the LA team", "Ask the child which service it is", "Ring round local clinics"),
        0,
    ),
    Question(
        "sensitive-recorded",
        "When are sensitive services recorded?",
        ("Always", "With consent, or where significant harm is suspected", "Never"),
        1,
    ),
    Question(
        "disclosure",
        "When may information leave ContactPoint?",
        (
            "When a journalist asks",
            "By court order or law, crime prevention, child protection enquiries or a safeguarding board",
            "When a parent phones",
        ),
        1,
    ),
    Question(
        "download",
        "May you download a list of the children in your area?",
        ("Yes, once a month", "Yes, with your manager's approval", "No: there is no bulk download"),
        2,
    ),
    Question(
        "bulk",
        "What happens if you open very many records in an hour?",
        (
            "Nothing",
            "Your LA team is alerted, and above a limit your account is suspended",
            "You are asked to slow down",
        ),
        1,
    ),
    Question(
        "override",
        "Who may open a shielded record in an emergency?",
        ("Any practitioner", "An override holder, giving a reason, which alerts the LA team", "Nobody, ever"),
        1,
    ),
    Question(
        "directory",
        "What does ContactPoint hold?",
        ("Case notes and assessments", "Contact details and who is working with the child", "Exam results"),
        1,
    ),
    Question(
        "lost-device",
        "You think someone else used your account. What do you do?",
        ("Tell your LA ContactPoint team at once", "Wait and see", "Change nothing"),
        0,
    ),
    Question(
        "out-of-hours",
        "Why might activity late at night raise an alert?",
        (
            "It never does",
            "Unusual activity outside working hours can be a sign of misuse",
            "The service is closed at night",
        ),
        1,
    ),
)
QUESTIONS = {q.key: q for q in BANK}


def questions_draw(count: int, rng: random.Random | None = None) -> list[str]:
    """The keys of `count` different questions, at random (the system's randomness unless given)."""
    return (rng or random.SystemRandom()).sample([q.key for q in BANK], count)


def options_shuffled(key: str, rng: random.Random | None = None) -> list[int]:
    """The order to show a drawn question's options in: a shuffle of their places in the bank, new for each
    draw, so a right answer cannot be remembered by where it sits on the page."""
    order = list(range(len(QUESTIONS[key].options)))
    (rng or random.SystemRandom()).shuffle(order)
    return order


@dataclass(frozen=True)
class Marked:
    correct: int
    asked: int
    wrong: tuple[str, ...]  # keys of the questions answered wrongly or not at all

    def passed(self, pass_mark: int) -> bool:
        return self.correct >= pass_mark


def assessment_mark(keys: list[str], answers: dict[str, str]) -> Marked:
    """Mark the answers (option numbers as text, as a form posts them) to the questions asked."""
    wrong = tuple(k for k in keys if answers.get(k) != str(QUESTIONS[k].answer))
    return Marked(correct=len(keys) - len(wrong), asked=len(keys), wrong=wrong)
