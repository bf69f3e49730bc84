"""The clerical review page's decision, posted as a reviewer's browser posts it.

The page's form carries the ids of the records it showed (`shown`), and "new child" is refused when the
review shows another now (`feeds.review.SHOWN_CHANGED_WORDS`): so a decision is posted from the page as
just opened, not made up.
"""

import re
from typing import Any

from django.urls import reverse

from accounts.models import User
from linkage.models import ClericalReview
from tests.journeys import signed_in

SHOWN = re.compile(r'name="shown" value="([0-9a-f-]+)"')


def decision_posted(user: User, review: ClericalReview, **form: Any) -> Any:
    """Open the review as `user`, then post `form` with the records that page showed."""
    client = signed_in(user)
    url = reverse("linkage:review", args=[review.pk])
    shown = SHOWN.findall(client.get(url).content.decode())
    return client.post(url, {**form, "shown": shown})
