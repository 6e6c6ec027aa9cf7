"""The browser tests' live server (conftest.live_server) under concurrent requests.

Staff sessions written by one request must be there for the next even when the browser has several requests
in flight; on the in-memory SQLite test database that failed with "database table is locked" before the
fixture waited for the test database and took requests one at a time.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from openbeat.staff import roles
from openbeat.staff.tests.factories import PASSWORD, staff_user


def _signed_in(base: str, username: str) -> bool:
    with requests.Session() as http:
        login = base + "/admin/login/"
        http.get(login, timeout=30)
        http.post(
            login,
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": http.cookies["csrftoken"]},
            headers={"Referer": login},
            timeout=30,
        )
        home = http.get(base + "/admin/", timeout=30, allow_redirects=False)
        return home.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ins_all_hold(live_server):
    names = [f"officer{i}" for i in range(12)]
    for name in names:
        staff_user(roles.CONTACT_CENTRE, None, username=name)
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda n: _signed_in(live_server.url, n), names * 3))
    assert all(results), f"{results.count(False)} of {len(results)} sign-ins were lost"
