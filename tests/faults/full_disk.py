#!/usr/bin/env python3
"""A full disk under the data folder while an organiser uploads a file: a clear error, no half-written file.

Uploads live in the database, so the data folder (the SQLite database and its journal) is put on a small
tmpfs and filled up. The upload must be refused with 507 and a message saying nothing was saved; afterwards
the database passes `PRAGMA integrity_check`, holds no trace of the refused file, has no stray files beside
it, and, once there is room again, the same upload succeeds. Run by .ci/run; needs root (to mount the tmpfs)
and the built binary (target/debug/swn).
"""

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import http.cookiejar
import uuid
from contextlib import closing

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.path.join(ROOT, "target", "debug", "swn")
SIZE_MB = 24
UPLOAD = b"%PDF-1.4\n" + os.urandom(900 * 1024) + b"\n%%EOF\n"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def open(self, path, data=None, headers=None):
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as r:
                return r.status, r.read().decode(errors="replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(errors="replace")

    def csrf(self, path):
        return re.search(r'name="csrf_token" value="([^"]+)"', self.open(path)[1]).group(1)

    def post(self, path, fields):
        return self.open(path, urllib.parse.urlencode({"csrf_token": self.csrf("/sign-in"), **fields}).encode())

    def upload(self, path, fields, filename, content):
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in {"csrf_token": self.csrf("/admin/resources/new"), **fields}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                     "Content-Type: application/pdf\r\n\r\n".encode() + content + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.open(path, b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"})


def fill(folder, leave_bytes):
    """Fills the filesystem until about `leave_bytes` are free."""
    filler = os.path.join(folder, "filler")
    free = shutil.disk_usage(folder).free
    with open(filler, "wb") as f:
        f.write(b"\0" * max(0, free - leave_bytes))
    return filler


def resources(db, title):
    with closing(sqlite3.connect(db)) as c:
        return c.execute("SELECT COUNT(*) FROM resources WHERE title = ?", (title,)).fetchone()[0]


def main():
    if not os.path.exists(BINARY):
        print(f"{BINARY} is missing: run cargo test (or cargo build) first", file=sys.stderr)
        return 2
    mount = tempfile.mkdtemp(prefix="swn-full-disk-")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE_MB}m", "tmpfs", mount]).returncode == 0
    if not mounted:
        print("full-disk: could not mount a tmpfs (this needs root)", file=sys.stderr)
        strict = os.environ.get("CI") == "true" or os.environ.get("SWN_TEST_STRICT") == "1"
        return 1 if strict else 0
    data = os.path.join(mount, "data")
    env = dict(os.environ, SWN_DATA_DIR=data, SWN_LOG="warn")
    env.pop("SWN_DATABASE_URL", None)
    server = None
    failures = []
    try:
        out = subprocess.run([BINARY, "admin", "create-organiser", "--email", "olivia@full.example.org",
                              "--name", "Olivia Organiser"], env=env, capture_output=True, text=True, check=True)
        link = re.search(r"(https?://\S+/password/reset/\S+)", out.stdout).group(1)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([BINARY, "serve", "--listen", f"127.0.0.1:{port}"], env=env,
                                  stdout=subprocess.DEVNULL)
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/readyz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        browser = Browser(base)
        setup = urllib.parse.urlparse(link).path
        password = "full-disk-password-1"
        browser.open(setup, urllib.parse.urlencode(
            {"csrf_token": browser.csrf(setup), "password": password, "confirm": password}).encode())
        browser.post("/sign-in", {"email": "olivia@full.example.org", "password": password})
        fields = {"title": "Full disk guide", "kind": "guide", "description": "A guide.", "audience": "members",
                  "published": "on"}
        db = os.path.join(data, "swn.db")
        before = sorted(os.listdir(data))

        filler = fill(mount, 200 * 1024)
        status, body = browser.upload("/admin/resources/new", fields, "guide.pdf", UPLOAD)
        print(f"full-disk: upload with 200 KiB free answered {status}")
        if status != 507 or "nothing you sent was saved" not in body:
            failures.append(f"expected 507 saying nothing was saved, got {status}")
        # The site still answers while the disk is full.
        if browser.open("/")[0] != 200:
            failures.append("the home page did not answer while the disk was full")

        os.remove(filler)
        if resources(db, "Full disk guide") != 0:
            failures.append("the refused upload left a resource behind")
        with closing(sqlite3.connect(db)) as c:
            check = c.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            failures.append(f"integrity_check: {check}")
        stray = sorted(set(os.listdir(data)) - set(before) - {"swn.db-wal", "swn.db-shm", "outbox"})
        if stray:
            failures.append(f"files left beside the database: {stray}")

        status, _ = browser.upload("/admin/resources/new", fields, "guide.pdf", UPLOAD)
        print(f"full-disk: the same upload with room again answered {status}")
        if status not in (200, 303) or resources(db, "Full disk guide") != 1:
            failures.append(f"the upload did not succeed once there was room ({status})")
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
        subprocess.run(["umount", mount])
        shutil.rmtree(mount, ignore_errors=True)
    for f in failures:
        print(f"full-disk: FAILED: {f}", file=sys.stderr)
    print(f"faults: {0 if failures else 1} passed, {1 if failures else 0} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
