"""A real worker process (`manage.py db_worker`) killed with SIGKILL while its post is in flight to the Mastodon
stand-in, which then publishes it (the network took the post, the worker never heard back). After the lease the
scheduler's dispatch (`manage.py dispatch_due_social_posts`) queues the target again and a fresh worker looks it
up: found, recorded as posted, never posted a second time.

The worker is a separate process: on PostgreSQL it uses the test database itself, on SQLite a copy in a file
made once the data is in it (openbeat/core/tests/processes.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from openbeat.core.tests.processes import app_environment, subprocess_database
from openbeat.delivery.tests.test_fault import query, wait_for
from openbeat.insights.models import Account
from openbeat.social.credentials import encrypt_credentials
from openbeat.social.models import Post, PostTarget, SocialAccount
from openbeat.social.standins import running_standin
from openbeat.staff.tests.factories import UserFactory

REPO = Path(__file__).resolve().parents[3]
MANAGE = [sys.executable, str(REPO / "manage.py")]
LEASE_SECONDS = 2

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_worker_killed_while_its_post_is_in_flight_never_posts_it_twice(settings, tmp_path):
    key = Fernet.generate_key().decode()
    settings.SOCIAL_CREDENTIALS_KEY = key
    with running_standin("mastodon") as standin:
        author = UserFactory(username="kill.author")
        targets = []
        for n in range(2):
            social = SocialAccount.objects.create(
                account=Account.objects.create(platform=Account.Platform.OTHER, name=f"@kill{n}"),
                network="mastodon",
                base_url=standin.base_url,
                credentials=encrypt_credentials({"access_token": f"token-{n}"}),
                requires_approval=False,
                status=SocialAccount.Status.CONNECTED,
            )
            post = Post.objects.create(text=f"Lock your bikes tonight ({n}).", author=author, state="submitted")
            targets.append(
                PostTarget.objects.create(
                    post=post, account=social, state=PostTarget.State.APPROVED, next_attempt_at=timezone.now()
                )
            )
        database_url, sqlite_path = subprocess_database(tmp_path)
        env = app_environment(
            tmp_path,
            database_url,
            TASKS_BACKEND="db",
            SOCIAL_CREDENTIALS_KEY=key,
            SOCIAL_POSTING_LEASE_SECONDS=str(LEASE_SECONDS),
        )
        log = (tmp_path / "processes.log").open("w")

        def run(*args: str) -> None:
            subprocess.run([*MANAGE, *args], cwd=REPO, env=env, check=True, timeout=120, stdout=log, stderr=log)

        def state(target: PostTarget) -> tuple[str, str]:
            sql = "SELECT state, remote_id FROM social_posttarget WHERE id = ?"
            return tuple(query(sqlite_path, sql, [target.pk])[0])  # type: ignore[return-value]

        held = standin.hold_next(method="POST", path_contains="/statuses")
        run("dispatch_due_social_posts")
        worker = subprocess.Popen(
            [*MANAGE, "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(lambda: held.arrived.is_set() or worker.poll() is not None, 90, "the post to arrive", every=0.05)
            assert worker.poll() is None, (tmp_path / "processes.log").read_text()
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(10)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        held.release.set()  # the network publishes the post the dead worker sent
        wait_for(lambda: standin.summary()["statuses"] == 1, 10, "the held post to be published", every=0.05)
        in_flight = [t for t in targets if state(t)[0] == PostTarget.State.POSTING]
        assert len(in_flight) == 1, "the killed worker's target is left in posting, its outcome unknown"

        time.sleep(LEASE_SECONDS + 0.5)  # the lease runs out: the worker is taken for dead
        run("dispatch_due_social_posts")
        run("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0")

        assert [state(t)[0] for t in targets] == [PostTarget.State.POSTED] * 2
        with standin.lock:
            statuses = dict(standin.statuses)
            received = dict(standin.posts_received)
        assert len(statuses) == 2
        assert all(count == 1 for count in received.values()), received
        assert {str(t.idempotency_key) for t in targets} == set(received)
        # The in-flight target is recorded with the post the network published for it (found by the lookup).
        (remote_id,) = [sid for sid, status in statuses.items() if in_flight[0].post.text in status["content"]]
        assert state(in_flight[0])[1] == remote_id
