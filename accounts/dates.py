"""Calendar arithmetic shared by the floors that date things by anniversaries (accounts, lifecycle)."""

from datetime import date


def years_after(day: date, years: int) -> date:
    """The same calendar day `years` later; 29 February falls on 1 March in a common year.

    1 March rather than 28 February: in England a person born on 29 February attains an age on 1 March
    in a common year, so nobody is archived a day before they reach the age, and a training pass or a
    background check made on 29 February still counts on 28 February. A fixed number of days (365)
    lapses a day early across a 29 February.
    """
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)
