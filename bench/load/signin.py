"""Sign K bench practitioners in through the real pages: password, then the TOTP second factor.

Runs in the load-test environment (var/load-venv: requests, no Django). Each practitioner signs in
once: GET the sign-in page (CSRF cookie), POST username and password (argon2 verify, lockout
limiters), GET and POST the second-factor page with the current code (RFC 6238, the same
algorithm as the authenticator app). The resulting session cookies, each a fully verified session
made by the service itself, go to var/bench-load/sessions-<target>.json (0600) for the locust run.

usage: signin.py BASE_URL TARGET_NAME [--floor]
"""

import hashlib
import hmac
import json
import os
import re
import struct
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

OUT = Path(__file__).resolve().parent.parent.parent / "var" / "bench-load"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def totp_now(key_hex: str, *, step: int = 30, digits: int = 6) -> str:
    counter = struct.pack(">Q", int(time.time()) // step)
    mac = hmac.new(bytes.fromhex(key_hex), counter, hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}"


def _token(page: requests.Response) -> str:
    found = CSRF.search(page.text)
    if found is None:
        raise RuntimeError(f"no CSRF token on {page.url} ({page.status_code})")
    return found.group(1)


def sign_in(base: str, username: str, password: str, totp_hex: str | None, login_path: str) -> dict[str, str]:
    http = requests.Session()
    page = http.get(base + login_path, timeout=60)
    form = {"csrfmiddlewaretoken": _token(page), "username": username, "password": password}
    page = http.post(base + login_path, data=form, headers={"Referer": base + login_path}, timeout=60)
    if totp_hex is not None:
        if "/account/mfa/" not in page.url:
            raise RuntimeError(f"{username}: password step ended at {page.url} ({page.status_code})")
        form = {"csrfmiddlewaretoken": _token(page), "code": totp_now(totp_hex)}
        page = http.post(base + "/account/mfa/", data=form, headers={"Referer": page.url}, timeout=60)
        if "/account/mfa/" in page.url or page.status_code != 200:
            raise RuntimeError(f"{username}: second factor refused ({page.status_code} at {page.url})")
    cookies = http.cookies.get_dict()
    if "sessionid" not in cookies:
        raise RuntimeError(f"{username}: no session after sign-in")
    return cookies


def main() -> int:
    base, target = sys.argv[1], sys.argv[2]
    floor = "--floor" in sys.argv
    accounts = json.loads((OUT / "accounts.json").read_text())
    password = accounts["password"]
    started = time.perf_counter()

    def one(account: dict[str, str]) -> dict[str, str]:
        if floor:
            return sign_in(base, account["username"], password, None, "/sign-in/")
        return sign_in(base, account["username"], password, account["totp_hex"], "/account/sign-in/")

    with ThreadPoolExecutor(max_workers=4) as pool:
        sessions = list(pool.map(one, accounts["accounts"]))
    path = OUT / f"sessions-{target}.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(sessions, handle)
    elapsed = time.perf_counter() - started
    print(f"signin: {len(sessions)} {target} sessions in {elapsed:.1f} s ({len(sessions) / elapsed:.1f}/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
