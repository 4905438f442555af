#!/usr/bin/env python3
"""Restart PostgreSQL while `swn serve` is under load: the server must recover by itself.

Run by .ci/run after the test suite (it restarts the machine's PostgreSQL, so it must not run beside other
tests). Needs the built binary (target/debug/swn, built by `cargo test`), PostgreSQL at 127.0.0.1:5432 with
trust authentication, and root (to restart the cluster). Prints how many requests failed while the database
was away and how long recovery took; exits non-zero if the server did not recover by itself within 30 s.
"""

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.path.join(ROOT, "target", "debug", "swn")


def psql(sql):
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-qc", sql], check=True)


def cluster_version():
    return sorted(os.listdir("/etc/postgresql"))[0]


def status(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except Exception:
        return 0


def main():
    if not os.path.exists(BINARY):
        print(f"{BINARY} is missing: run cargo test (or cargo build) first", file=sys.stderr)
        return 2
    name = f"swn_fault_{os.getpid()}"
    psql(f"CREATE DATABASE {name}")
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, SWN_DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}",
               SWN_DATA_DIR=tempfile.mkdtemp(), SWN_LOG="warn")
    server = subprocess.Popen([BINARY, "serve", "--listen", f"127.0.0.1:{port}"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            if status(f"{base}/readyz") == 200:
                break
            time.sleep(0.1)
        else:
            print("swn serve did not become ready", file=sys.stderr)
            return 1

        # Load: four clients reading database-backed pages until told to stop.
        results = []
        stop = threading.Event()

        def load():
            while not stop.is_set():
                results.append((time.monotonic(), status(f"{base}/meetings", timeout=10)))
                time.sleep(0.02)

        clients = [threading.Thread(target=load) for _ in range(4)]
        for c in clients:
            c.start()
        time.sleep(2)
        restarted_at = time.monotonic()
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", cluster_version(), "main", "restart"], check=True)
        back_at = time.monotonic()
        # Recovered: ten answers in a row from /meetings and /readyz, with no help from anyone.
        recovered_at = None
        deadline = time.monotonic() + 30
        streak = 0
        while time.monotonic() < deadline:
            if status(f"{base}/readyz") == 200 and status(f"{base}/meetings") == 200:
                streak += 1
                if streak == 10:
                    recovered_at = time.monotonic()
                    break
            else:
                streak = 0
            time.sleep(0.1)
        time.sleep(1)
        stop.set()
        for c in clients:
            c.join()
        failed = [r for r in results if r[1] != 200]
        print(f"PostgreSQL restart under load: {len(results)} requests, {len(failed)} failed while the database "
              f"was away (restart took {back_at - restarted_at:.1f} s); "
              + (f"recovered by itself {recovered_at - back_at:.1f} s after PostgreSQL was back"
                 if recovered_at else "NOT recovered within 30 s"))
        late = [r for r in results if recovered_at and r[0] > recovered_at and r[1] != 200]
        if recovered_at is None or late:
            return 1
        return 0
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        for _ in range(30):
            try:
                psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                break
            except subprocess.CalledProcessError:
                time.sleep(1)


if __name__ == "__main__":
    code = main()
    # A closing line test reports read: this script is one check.
    print("faults: %d passed, %d failed" % (1 if code == 0 else 0, 0 if code == 0 else 1))
    sys.exit(code)
