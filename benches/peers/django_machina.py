#!/usr/bin/env python3
"""A real peer for the topic page: django-machina (a Django forum engine) on the same 50-reply thread.

Run by hand from the repository root (it is not part of CI):

    python3 benches/peers/django_machina.py            # 10 s, like site_load's default
    SWN_BENCH_SECONDS=3 python3 benches/peers/django_machina.py

What it does:
1. creates a virtual environment (default /tmp/swn-peer-django-machina, kept between runs; --venv to move it)
   and installs pinned django-machina, Django and gunicorn from PyPI into it;
2. writes a minimal Django project in a temporary folder with machina configured as its documentation says
   (SQLite, DEBUG off, cached template loader, haystack's simple backend), 50 posts per topic page as ours;
3. seeds the same thread as benches/site_load.rs: an opening post and 50 replies with the same Markdown bodies
   in the same order, by 50 members, in a forum that signed-in members may read; machina renders the Markdown
   on save, as we do;
4. signs a member in (a session in the database, as Django's login does) and keeps its cookie, so the page is
   rendered for a signed-in member, like ours (which also records what they have read);
5. serves it with gunicorn, 2 sync workers (= the machine's 2 cores; sync workers because rendering is
   CPU-bound under the GIL, so threads would not add throughput), no access log;
6. runs `cargo bench --bench site_load` in its measure mode against the topic page with the gunicorn master and
   worker pids (CPU summed over them; peak RSS summed over them, which counts pages shared after fork once per
   process), and prints the result.
"""

import argparse
import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request

PINS = ["django-machina==1.3.1", "Django==5.2.19", "gunicorn==27.0.1"]
REPO = pathlib.Path(__file__).resolve().parents[2]

# The same bodies as benches/site_load.rs, in the same order, from the file both read.
BODIES = [line for line in (REPO / "benches" / "forum_bodies.txt").read_text().splitlines() if line]

SETTINGS = """
import pathlib
from machina import MACHINA_MAIN_STATIC_DIR, MACHINA_MAIN_TEMPLATE_DIR

BASE = pathlib.Path(__file__).resolve().parent
SECRET_KEY = "bench-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [
    "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions", "django.contrib.sites",
    "django.contrib.messages", "django.contrib.staticfiles", "django.contrib.admin",
    "mptt", "haystack", "widget_tweaks",
    "machina", "machina.apps.forum", "machina.apps.forum_conversation",
    "machina.apps.forum_conversation.forum_attachments", "machina.apps.forum_conversation.forum_polls",
    "machina.apps.forum_feeds", "machina.apps.forum_moderation", "machina.apps.forum_search",
    "machina.apps.forum_tracking", "machina.apps.forum_member", "machina.apps.forum_permission",
]
MIDDLEWARE = [
    "django.middleware.common.CommonMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "machina.apps.forum_permission.middleware.ForumPermissionMiddleware",
]
ROOT_URLCONF = "urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE / "machina.db")}}
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [MACHINA_MAIN_TEMPLATE_DIR],
    "OPTIONS": {
        "context_processors": [
            "django.contrib.auth.context_processors.auth",
            "django.template.context_processors.request",
            "django.contrib.messages.context_processors.messages",
            "machina.core.context_processors.metadata",
        ],
        "loaders": [("django.template.loaders.cached.Loader", [
            "django.template.loaders.filesystem.Loader",
            "django.template.loaders.app_directories.Loader",
        ])],
    },
}]
STATIC_URL = "/static/"
STATICFILES_DIRS = [MACHINA_MAIN_STATIC_DIR]
SITE_ID = 1
USE_TZ = True
TIME_ZONE = "Europe/London"
LANGUAGE_CODE = "en-gb"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "machina_attachments": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                            "LOCATION": str(BASE / "attachments-cache")},
}
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
LOGIN_URL = "/accounts/login/"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
MACHINA_TOPIC_POSTS_NUMBER_PER_PAGE = 50
MACHINA_FORUM_NAME = "Smart Work Network"
MACHINA_DEFAULT_AUTHENTICATED_USER_FORUM_PERMISSIONS = [
    "can_see_forum", "can_read_forum", "can_start_new_topics", "can_reply_to_topics", "can_edit_own_posts",
    "can_post_without_approval", "can_subscribe_to_topics", "can_download_file",
]
"""

URLS = """
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("forum/", include("machina.urls")),
]
"""

WSGI = """
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
from django.core.wsgi import get_wsgi_application
application = get_wsgi_application()
"""

SEED = """
import json, os, sys
from datetime import timedelta
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
import django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from machina.core.db.models import get_model

Forum = get_model("forum", "Forum")
Topic = get_model("forum_conversation", "Topic")
Post = get_model("forum_conversation", "Post")
bodies = json.loads(sys.argv[1])
User = get_user_model()
members = [User.objects.create_user(f"member{i}", f"member{i}@bench.example.org", "bench-password-1",
                                    first_name="Member", last_name=str(i)) for i in range(50)]
reader = User.objects.create_user("bench.member", "bench.member@bench.example.org", "bench-password-1")
forum = Forum.objects.create(name="People", type=Forum.FORUM_POST)
title = "Question 0: " + bodies[0].split(".")[0].split(",")[0]
topic = Topic.objects.create(forum=forum, subject=title, poster=members[0], type=Topic.TOPIC_POST,
                             status=Topic.TOPIC_UNLOCKED, approved=True)
start = timezone.now() - timedelta(hours=1)
for r in range(51):
    post = Post.objects.create(topic=topic, poster=members[(r * 7) % len(members)], subject=title,
                               content=bodies[r % len(bodies)], approved=True)
    Post.objects.filter(pk=post.pk).update(created=start + timedelta(seconds=r))
topic.refresh_from_db()
topic.update_trackers()
client = Client()
client.force_login(reader)
url = reverse("forum_conversation:topic", kwargs={
    "forum_slug": forum.slug, "forum_pk": forum.pk, "slug": topic.slug, "pk": topic.pk})
print(json.dumps({"path": url, "cookie": "sessionid=" + client.cookies["sessionid"].value,
                  "posts": Post.objects.filter(topic=topic).count()}))
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid):
    path = pathlib.Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--venv", default=os.path.join(tempfile.gettempdir(), "swn-peer-django-machina"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--check", action="store_true", help="set up, check the page, and stop without measuring")
    args = parser.parse_args()

    venv = pathlib.Path(args.venv)
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *PINS], check=True)
    versions = subprocess.run([str(python), "-m", "pip", "freeze"], check=True, capture_output=True, text=True).stdout
    print("peer:", ", ".join(l for l in versions.split() if re.match(r"(?i)(django|django-machina|gunicorn)==", l)))

    with tempfile.TemporaryDirectory(prefix="swn-machina-") as project:
        project = pathlib.Path(project)
        (project / "settings.py").write_text(textwrap.dedent(SETTINGS))
        (project / "urls.py").write_text(textwrap.dedent(URLS))
        (project / "wsgi.py").write_text(textwrap.dedent(WSGI))
        (project / "seed.py").write_text(textwrap.dedent(SEED))
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="settings", PYTHONPATH=str(project))
        subprocess.run([str(python), "-m", "django", "migrate", "--verbosity", "0"], cwd=project, env=env, check=True)
        seeded = json.loads(subprocess.run([str(python), "seed.py", json.dumps(BODIES)], cwd=project, env=env,
                                           check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
        assert seeded["posts"] == 51, seeded

        port = free_port()
        gunicorn = subprocess.Popen(
            [str(venv / "bin" / "gunicorn"), "--workers", str(args.workers), "--worker-class", "sync",
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:application"],
            cwd=project, env=env)
        try:
            url = f"http://127.0.0.1:{port}{seeded['path']}"
            page = None
            for _ in range(200):
                try:
                    request = urllib.request.Request(url, headers={"Cookie": seeded["cookie"]})
                    with urllib.request.urlopen(request, timeout=5) as response:
                        page = response.read().decode()
                    break
                except OSError:
                    time.sleep(0.1)
            assert page is not None, "gunicorn did not answer"
            shown = page.count('<div class="post-content">')
            assert shown >= 50, f"the page shows {shown} posts, not 50"
            assert "View my posts" in page, "the page is rendered for the signed-in member"
            while len(children(gunicorn.pid)) < args.workers:
                time.sleep(0.1)
            pids = [gunicorn.pid, *children(gunicorn.pid)]
            print(f"gunicorn pids {pids}; page {len(page.encode())} bytes, {shown} posts shown; measuring {url}")
            if args.check:
                return
            bench_env = dict(os.environ, SWN_BENCH_MEASURE_URL=url,
                             SWN_BENCH_MEASURE_PIDS=",".join(map(str, pids)),
                             SWN_BENCH_MEASURE_COOKIE=seeded["cookie"],
                             SWN_BENCH_MEASURE_NAME="django-machina topic page, 50 replies (member)")
            subprocess.run(["cargo", "bench", "--bench", "site_load"], cwd=REPO, env=bench_env, check=True)
        finally:
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(timeout=30)


if __name__ == "__main__":
    main()
