"""Locust workload for `make bench-load` (runs in var/load-venv; no Django here).

Each locust user borrows one signed-in practitioner session at a time from the pool signin.py made
(so two users never share a session at once, as two people never share one), does one journey,
and gives it back. LOAD_MIX chooses the journey:
- "full" (the realistic mix): a search (family name + DOB 35%, + postcode 15%, + given name and
  gender 20%, typo'd name and/or transposed day and month 15%, a name nobody has 10%, a shielded
  child searched by postcode 5%, which must find nothing); after a search that found someone,
  20% go on to state a purpose and view the record, and 1 in 4 of those record their involvement.
- "search": the same searches only (what the floor app can also do), for the floor ratio.
- "rate": the same searches at a fixed offered rate, LOAD_RATE searches a second in all (each of
  the LOAD_USERS users starts one every LOAD_USERS / LOAD_RATE seconds, locust's
  `constant_throughput`, each user's first search at a random offset within its interval, so the
  arrivals are spread out, not bursts), so that latency is compared below saturation, not the queue
  in front of busy workers. A user whose search takes longer than its interval starts the next at once.

Audit events are counted in the database by run.py, not here: every request named below must
have written exactly one audit event (search, purpose asked, record viewed, involvement recorded).
"""

import json
import os
import queue
import random
import re
import time
from datetime import date
from typing import Any

import requests
from locust import HttpUser, between, constant_throughput, events, task

from bench.load.queries import OUT, People, search_form

TARGET = os.environ.get("LOAD_TARGET", "app")
MIX = os.environ.get("LOAD_MIX", "full")
RATE = float(os.environ.get("LOAD_RATE", "0"))  # searches a second in all, for the "rate" mix
USERS = int(os.environ.get("LOAD_USERS", "16"))
SEARCH_PATH = os.environ.get("LOAD_SEARCH_PATH", "/children/search/")
CHILD_LINK = re.compile(r'href="/children/([0-9a-f-]{36})/purpose/"')

PEOPLE = People()
SESSIONS: "queue.Queue[dict[str, str]]" = queue.Queue()
for cookies in json.loads((OUT / f"sessions-{TARGET}.json").read_text()):
    SESSIONS.put(cookies)
# Only a performed search shows these; a form error would answer 200 with no audit event.
SEARCHED = "Search again</h2>" if TARGET == "app" else "<h2>"


class Practitioner(HttpUser):
    if MIX == "rate" and RATE > 0:
        wait_time = constant_throughput(RATE / USERS)
    elif MIX == "search":
        # Searches only, service then floor: no think time, so both run at what the machine can give and
        # their ratio compares capacity. With think time the floor (~9 ms a search) was held to what 16
        # users thinking up to 0.5 s can ask for (~62/s), and the ratio measured the think time.
        wait_time = between(0, float(os.environ.get("LOAD_SEARCH_THINK_SECONDS", "0")))
    else:
        wait_time = between(0, float(os.environ.get("LOAD_THINK_SECONDS", "0.5")))

    def on_start(self) -> None:
        self.rng = random.Random()
        if MIX == "rate" and RATE > 0:
            # Users start together; without a random offset within one interval they would send
            # their searches in bursts of LOAD_USERS and measure the burst's queue, not the rate.
            time.sleep(self.rng.uniform(0, USERS / RATE))
        # The two requests of one search go through a plain session that locust does not record.
        self.raw = requests.Session()

    def _cookie_header(self, cookies: dict[str, str]) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}

    def _send(
        self, method: str, path: str, cookies: dict[str, str], name: str, searched: bool = False, **kw: Any
    ) -> Any:
        self.client.cookies.clear()
        with self.client.request(
            method,
            path,
            headers=self._cookie_header(cookies),
            name=name,
            allow_redirects=False,
            catch_response=True,
            **kw,
        ) as response:
            if response.status_code >= 400 or (
                response.status_code == 302 and "sign-in" in response.headers.get("Location", "")
            ):
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}")
            elif searched and response.status_code == 200 and SEARCHED not in response.text:
                response.failure("search form refused: no search performed")
            for key, value in response.cookies.get_dict().items():
                cookies[key] = value  # the service may renew the session cookie
            return response

    def _search(self, cookies: dict[str, str], name: str, form: dict[str, str]) -> Any:
        """One search as a person sees it, timed as one request: the service answers the POST with a
        303 to its results page, which the browser then GETs (the floor renders them on the POST).
        Returns the results page, or None if the search failed."""
        started = time.perf_counter()
        failure: Exception | None = None
        page, length = None, 0
        try:
            page = self._raw("POST", SEARCH_PATH, cookies, data=form)
            length = len(page.content)
            if page.status_code == 303 and TARGET == "app":
                page = self._raw("GET", page.headers["Location"], cookies)
                length += len(page.content)
            location = page.headers.get("Location", "")
            if page.status_code >= 400 or (page.status_code == 302 and "sign-in" in location):
                failure = RuntimeError(f"{page.status_code} {location}")
            elif page.status_code != 200 or SEARCHED not in page.text:
                failure = RuntimeError(f"search form refused: no search performed ({page.status_code})")
        except requests.RequestException as error:  # a dropped connection (a killed worker)
            failure = error
        self.environment.events.request.fire(
            request_type="POST",
            name=name,
            response_time=(time.perf_counter() - started) * 1000,
            response_length=length,
            exception=failure,
            context={},
            response=page,
        )
        return None if failure else page

    def _raw(self, method: str, path: str, cookies: dict[str, str], **kw: Any) -> Any:
        """A request locust does not record on its own (`_search` records the pair as one)."""
        self.raw.cookies.clear()
        response = self.raw.request(
            method,
            self.host + path,
            headers=self._cookie_header(cookies),
            allow_redirects=False,
            timeout=60,
            **kw,
        )
        for key, value in response.cookies.get_dict().items():
            cookies[key] = value
        return response

    @task
    def journey(self) -> None:
        cookies = SESSIONS.get()
        try:
            kind, form = search_form(self.rng, PEOPLE)
            form["csrfmiddlewaretoken"] = cookies.get("csrftoken", "")
            page = self._search(cookies, f"search:{kind}", form)
            if MIX not in ("full", "kill") or page is None:
                return
            found = CHILD_LINK.findall(page.text)
            if not found or self.rng.random() >= 0.2:
                return
            child = self.rng.choice(found)
            self._send("GET", f"/children/{child}/purpose/", cookies, "purpose:ask")
            purpose = {
                "purpose": "providing_service",
                "detail": "",
                "csrfmiddlewaretoken": cookies.get("csrftoken", ""),
            }
            self._send("POST", f"/children/{child}/purpose/", cookies, "purpose:state", data=purpose)
            self._send("GET", f"/children/{child}/", cookies, "record:view")
            if self.rng.random() < 0.25:
                today = date.today()
                involvement = {
                    "role": "Class teacher",
                    "phone": "0113 496 0000",
                    "email": "teacher@example.org",
                    "start_day": str(today.day),
                    "start_month": str(today.month),
                    "start_year": str(today.year),
                    "csrfmiddlewaretoken": cookies.get("csrftoken", ""),
                }
                self._send(
                    "POST",
                    f"/children/{child}/involvement/new/",
                    cookies,
                    "involvement:record",
                    data=involvement,
                )
        finally:
            SESSIONS.put(cookies)


@events.test_stop.add_listener
def _report(environment: Any, **_: Any) -> None:
    path = OUT / f"locust-{TARGET}-{MIX}.json"
    stats = []
    for entry in environment.stats.entries.values():
        stats.append(
            {
                "name": entry.name,
                "method": entry.method,
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "p50": entry.get_response_time_percentile(0.5),
                "p95": entry.get_response_time_percentile(0.95),
                "p99": entry.get_response_time_percentile(0.99),
            }
        )
    # Failures by kind: a dropped connection (a killed worker), a server error (never acceptable),
    # or a refusal (403, or sign-in again) after a misuse rule suspended the practitioner.
    kinds = {"dropped": 0, "server_error": 0, "refused": 0, "other": 0}
    for error in environment.stats.errors.values():
        name, text = type(error.error).__name__, str(error.error)  # exceptions, or "403 ..." failures
        if any(word in f"{name} {text}" for word in ("Disconnected", "ConnectionError", "ConnectionReset")):
            kind = "dropped"
        elif text[:1] == "5":
            kind = "server_error"
        elif text.startswith(("403", "302")):
            kind = "refused"
        else:
            kind = "other"
        kinds[kind] += error.occurrences
    total = environment.stats.total
    summary = {
        "requests": total.num_requests,
        "failures": total.num_failures,
        "rps": total.total_rps,
        "p50": total.get_response_time_percentile(0.5),
        "p95": total.get_response_time_percentile(0.95),
        "p99": total.get_response_time_percentile(0.99),
        "stats": stats,
        "failure_kinds": kinds,
    }
    path.write_text(json.dumps(summary, indent=1))
