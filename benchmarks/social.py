#!/usr/bin/env python
"""Social posting at the issue's scale: 1,000 scheduled posts across 50 accounts dispatched through the task
backend to a local Mastodon stand-in, beside a bare loop of the same client calls, in the same run.

OpenBeat's path: the scheduler's dispatch (`social.services.dispatch_due`, as its job runs every minute) queues the
due targets in batches (one account's each) on the database task backend; `manage.py db_worker` processes
(--workers, default 1, started and idle beforehand, as in production) run them:
each target is claimed under a row lock and recorded as posting (its idempotency record) before Mastodon.py posts
it to the stand-in, then recorded as posted with the ledger entry. The baseline: one loop calling Mastodon.py's
`status_post` with the same text and an idempotency key, against the same stand-in, with nothing around it.
Both are timed from the first call to the last post; the ratio is OpenBeat/bare throughput (target >= 0.7 with
one worker, the bare loop's own concurrency).

    .venv/bin/python benchmarks/social.py [--posts 1000] [--accounts 50] [--workers 1] [--database-url ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = str(REPO / ".venv" / "bin" / "python")
sys.path.insert(0, str(REPO))


def prepare(tmp: Path, database_url: str | None) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "openbeat.settings",
        "DATABASE_URL": database_url or f"sqlite:///{tmp}/social.sqlite3",
        "OPENBEAT_VAR_DIR": str(tmp),
        "SECRET_KEY": "bench-social-" + "x" * 40,
        "DEBUG": "false",
        "MAIL_BACKEND": "file",
        "TASKS_BACKEND": "db",
        "LOG_LEVEL": "WARNING",
    }
    manage = [PYTHON, "manage.py"]
    if database_url:
        subprocess.run([*manage, "flush", "--noinput"], cwd=REPO, env=env, check=False, capture_output=True)
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
    os.environ.update(env)
    import django

    django.setup()
    return env


TOKEN = "bench-token"  # the stand-in accepts any token  # noqa: S105


def build(posts: int, accounts: int, base_url: str) -> None:
    """`accounts` connected Mastodon accounts and `posts` approved, due targets spread over them."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from openbeat.insights.models import Account
    from openbeat.social.credentials import encrypt_credentials
    from openbeat.social.models import Post, PostTarget, SocialAccount

    author = get_user_model().objects.create(username="bench.author", email="bench@example.invalid")
    secret = encrypt_credentials({"access_token": TOKEN})
    social = [
        SocialAccount.objects.create(
            account=Account.objects.create(platform=Account.Platform.OTHER, name=f"@bench{n}"),
            network="mastodon",
            base_url=base_url,
            credentials=secret,
            requires_approval=False,
            status=SocialAccount.Status.CONNECTED,
        )
        for n in range(accounts)
    ]
    now = timezone.now()
    made = Post.objects.bulk_create(
        Post(text=f"Bench post {n}: lock your bikes tonight.", author=author, state=Post.State.SUBMITTED)
        for n in range(posts)
    )
    PostTarget.objects.bulk_create(
        PostTarget(post=post, account=social[n % accounts], state=PostTarget.State.APPROVED, next_attempt_at=now)
        for n, post in enumerate(made)
    )


def run_openbeat(env: dict[str, str], posts: int, workers: int) -> float:
    """From the dispatch to the last post recorded, with the workers already running (as in production)."""
    from openbeat.social.models import PostTarget
    from openbeat.social.services import dispatch_due

    command = [PYTHON, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.05"]
    processes = [
        subprocess.Popen(
            [*command, "--worker-id", f"bench-{n}"],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(workers)
    ]
    try:
        time.sleep(8)  # Django started in each worker, polling an empty queue
        started = time.perf_counter()
        queued = dispatch_due(limit=posts)  # the scheduler's job takes up to 500 a minute; here all at once
        assert queued == posts
        posted = PostTarget.objects.filter(state=PostTarget.State.POSTED)
        while posted.count() < posts:
            assert all(p.poll() is None for p in processes), "a worker stopped"
            time.sleep(0.02)
        return time.perf_counter() - started
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)


def run_bare(base_url: str, posts: int) -> float:
    from mastodon import Mastodon

    client = Mastodon(api_base_url=base_url, access_token=TOKEN, version_check_mode="none")
    started = time.perf_counter()
    for n in range(posts):
        client.status_post(f"Bare post {n}: lock your bikes tonight.", idempotency_key=str(uuid.uuid4()))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="openbeat-social-") as name:
        env = prepare(Path(name), args.database_url)
        from openbeat.social.standins import running_standin

        with running_standin("mastodon") as standin:
            build(args.posts, args.accounts, standin.base_url)
            bare = run_bare(standin.base_url, args.posts)
            ours = run_openbeat(env, args.posts, args.workers)
            statuses = standin.summary().get("statuses", "?")
        vendor = "postgresql" if args.database_url else "sqlite"
        print(
            f"{args.posts:,} posts across {args.accounts} Mastodon accounts ({vendor}, {args.workers} worker(s), "
            f"stand-in on 127.0.0.1; {statuses} statuses on it at the end):"
        )
        print(f"  bare Mastodon.py loop      {bare:6.1f} s  {args.posts / bare:6.0f} posts/s")
        print(f"  OpenBeat tasks             {ours:6.1f} s  {args.posts / ours:6.0f} posts/s")
        print(f"  ratio OpenBeat/bare: {bare / ours:.2f} (target >= 0.7)")


if __name__ == "__main__":
    main()
