#!/usr/bin/env python3
"""Property-based run of the JSON API against its own OpenAPI document (schemathesis).

Starts `swn serve` on a fresh SQLite data folder with the demo network, creates a personal API token through
the settings page as the demo organiser would, and lets schemathesis generate requests for every operation,
once with the token and once without. Fails on any server error, any answer that breaks the document
(status, content type, headers, body schema), and any request the document refuses but the API accepts, or
the other way round. Usage: tests/api/fuzz.py [path/to/swn]  (default target/debug/swn).
Needs `schemathesis` from PyPI (.ci/run installs it). With SWN_FUZZ_DATABASE_URL (an empty PostgreSQL database)
the server runs on PostgreSQL instead of SQLite.
"""
import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Every check schemathesis has for a single API (named, so that a newer schemathesis adds none unseen): server
# errors, each response against the document (status, content type, headers, body), and the requests: what the
# document refuses must be refused (negative_data_rejection), what it allows accepted (positive_data_acceptance).
CHECKS = ",".join([
    "not_a_server_error", "status_code_conformance", "content_type_conformance", "response_headers_conformance",
    "response_schema_conformance", "negative_data_rejection", "positive_data_acceptance", "missing_required_header",
    "unsupported_method", "allow_header_conformance", "use_after_free", "ensure_resource_availability",
    "ignored_auth",
])


# Operations whose 422 may answer a request the document allows (see real_identifiers).
RULE_CHECKED = [
    "/api/v1/toolkit/teams/{id}/requests",
    "/api/v1/toolkit/requests/{id}/decision",
    "/api/v1/toolkit/teams/{id}/trials",
    "/api/v1/toolkit/trials/{id}/state",
    # The benchmark: a question not in the assessment's framework version, a filter value no organisation has
    # (regions are the organisers' list) or two filters at once.
    "/api/v1/benchmark/assessments",
    "/api/v1/benchmark/assessments/{id}/answers",
    "/api/v1/benchmark/peers",
    # The awards: a timeline out of order, a category's rules, an entry incomplete for submitting.
    "/api/v1/awards/programmes",
    "/api/v1/awards/programmes/{id}",
    "/api/v1/awards/programmes/{id}/categories",
    "/api/v1/awards/categories/{id}/entries",
    "/api/v1/awards/entries/{id}/submit",
    # Judging: scores on the category's scale for its criteria, a user who may judge, a decision's citation, a
    # publishing date not yet reached.
    "/api/v1/awards/entries/{id}/scores",
    "/api/v1/awards/entries/{id}/conflicts",
    "/api/v1/awards/categories/{id}/judges",
    "/api/v1/awards/entries/{id}/decision",
    "/api/v1/awards/programmes/{id}/publish",
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(base, server):
    for _ in range(300):
        if server.poll() is not None:
            sys.exit(f"api-fuzz: swn serve exited with {server.returncode}")
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("api-fuzz: swn serve did not answer")


def token_for(base, email, password):
    """Signs in and creates a token in the settings page, as a person would."""
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def csrf(path):
        page = browser.open(base + path).read().decode()
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    form = {"csrf_token": csrf("/sign-in"), "email": email, "password": password}
    browser.open(base + "/sign-in", urllib.parse.urlencode(form).encode())
    form = {"csrf_token": csrf("/account/api-tokens"), "name": "schemathesis", "password": password}
    page = browser.open(base + "/account/api-tokens", urllib.parse.urlencode(form).encode()).read().decode()
    found = re.search(r"(swn_[A-Za-z0-9_-]+)", page)
    if not found:
        sys.exit("api-fuzz: no token was shown after creating one")
    return found.group(1)


def api(base, path, token):
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.load(r)


def real_identifiers(base, token, folder):
    """A schemathesis.toml giving the token's run identifiers that exist, so requests reach the handlers'
    logic rather than stopping at 404 (the run without a token keeps generating them freely)."""
    meeting = api(base, "/api/v1/meetings", token)[0]["slug"]
    article = api(base, "/api/v1/articles", token)[0]["slug"]
    category = api(base, "/api/v1/forum/categories", token)[0]["slug"]
    topics = api(base, f"/api/v1/forum/categories/{category}/topics", token)
    fixed = {
        "/api/v1/meetings/{slug}": {"slug": meeting},
        "/api/v1/meetings/{slug}/registration": {"slug": meeting},
        "/api/v1/articles/{slug}": {"slug": article},
        "/api/v1/forum/categories/{slug}/topics": {"slug": category},
    }
    if topics:
        fixed["/api/v1/forum/topics/{id}"] = {"id": topics[0]["id"]}
        fixed["/api/v1/forum/topics/{id}/replies"] = {"id": topics[0]["id"]}
    with open(os.path.join(folder, "schemathesis.toml"), "w") as f:
        for path, values in fixed.items():
            pairs = ", ".join(f'"path.{k}" = "{v}"' for k, v in values.items())
            f.write(f'[[operations]]\ninclude-path = "{path}"\nparameters = {{ {pairs} }}\n\n')
        # The toolkit's statutory requests and trials answer 422 for data the document allows but the rules of
        # the day refuse (a request made before 2014 or after today, a second live one, an end before the
        # start, a step the states do not allow): the contract the issue set, documented in their descriptions;
        # so do the benchmark's answers and peers (see RULE_CHECKED).
        for path in RULE_CHECKED:
            f.write(
                f'[[operations]]\ninclude-path = "{path}"\n'
                '[operations.checks.positive_data_acceptance]\n'
                'expected-statuses = ["2xx", "401", "403", "404", "409", "422"]\n\n'
            )


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target/debug/swn"))
    examples = os.environ.get("SWN_FUZZ_EXAMPLES", "60")
    data = tempfile.mkdtemp(prefix="swn-api-fuzz-")
    env = dict(os.environ, SWN_DATA_DIR=data, SWN_LOG="warn")
    env.pop("SWN_DATABASE_URL", None)
    # PostgreSQL refuses what SQLite stores without complaint (NUL in text): run on it too when given one.
    if os.environ.get("SWN_FUZZ_DATABASE_URL"):
        env["SWN_DATABASE_URL"] = os.environ["SWN_FUZZ_DATABASE_URL"]
    demo = subprocess.run([binary, "demo"], env=env, capture_output=True, text=True, check=True).stdout
    email = re.search(r"Demo organiser:\s*(\S+)", demo).group(1)
    password = re.search(r"Password:\s*(\S+)", demo).group(1)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([binary, "serve", "--listen", f"127.0.0.1:{port}"], env=env, stdout=subprocess.DEVNULL)
    failed = []
    try:
        wait_ready(base, server)
        token = token_for(base, email, password)
        with_ids = os.path.join(data, "with-token")
        os.makedirs(with_ids)
        real_identifiers(base, token, with_ids)
        runs = (("with a token", ["-H", f"Authorization: Bearer {token}"], with_ids), ("without a token", [], data))
        for label, extra, folder in runs:
            print(f"== schemathesis, {label}", flush=True)
            run = subprocess.run(
                ["schemathesis", "run", f"{base}/api/openapi.json", "--checks", CHECKS,
                 "--max-examples", examples, "--seed", "1", "--workers", "1",
                 "--phases", "examples,coverage,fuzzing", "--generation-allow-x00", "true", *extra],
                cwd=folder,
            )
            if run.returncode != 0:
                failed.append(label)
            if server.poll() is not None:
                failed.append(f"the server stopped ({server.returncode})")
                break
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)
    print(f"api-fuzz: {2 - len(failed)} passed, {len(failed)} failed" + (f" ({', '.join(failed)})" if failed else ""))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
