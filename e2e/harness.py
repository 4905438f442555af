"""What the journeys stand on: the server under test, its mail outbox, and a browser that checks every page
it lands on with axe-core and photographs it at a phone's and a desktop's width."""

import base64
import email
import email.policy
import http.server
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

HERE = Path(__file__).resolve().parent
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
WAIT = 15  # seconds any single expected state may take to appear
WIDTHS = (375, 1280)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`swn serve` on a free port with a fresh SQLite data folder and no SMTP, so mail lands in outbox/."""

    def __init__(self, binary, artifacts):
        self.binary = str(Path(binary).resolve())
        self.data_dir = Path(tempfile.mkdtemp(prefix="swn-e2e-"))
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        # Nothing from the caller's environment may point the server elsewhere (PostgreSQL, a real SMTP server).
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SWN_")}
        self.env.update(SWN_DATA_DIR=str(self.data_dir), SWN_BASE_URL=self.base_url, SWN_LOG="warn")
        self.log_path = Path(artifacts) / "server.log"
        self.proc = None

    def cli(self, *args):
        """Runs a one-off `swn` command on the same data folder and returns what it printed."""
        done = subprocess.run([self.binary, *args], env=self.env, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"swn {' '.join(args)} failed: {done.stderr}")
        return done.stdout

    def start(self):
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--listen", f"127.0.0.1:{self.port}"],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"swn serve exited with {self.proc.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"swn serve did not answer /healthz within 60 s; see {self.log_path}")
            time.sleep(0.2)  # polling a process that is not a page: WebDriverWait has no driver to use here

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)


class MeetingRoom:
    """A stand-in for a video-meeting service, on https://127.0.0.1 with a self-signed certificate (joining links
    must be https), so a journey can open a meeting's joining link for real without the internet."""

    def __init__(self, folder):
        folder = Path(folder)
        cert, key = folder / "room.crt", folder / "room.key"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
             "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
            check=True, capture_output=True,
        )
        self.visits = []
        room = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                room.visits.append(self.path)
                body = b"<!doctype html><html lang='en'><title>Meeting room</title><main><h1>Meeting room</h1></main></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(cert), str(key))
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


class Outbox:
    """The .eml files the server writes to <data dir>/outbox/ when no SMTP server is configured."""

    def __init__(self, server):
        self.dir = server.data_dir / "outbox"
        self.base_url = server.base_url
        self.taken = set()

    def all(self):
        found = []
        for path in sorted(self.dir.glob("*.eml")) if self.dir.exists() else []:
            with open(path, "rb") as f:
                found.append((path.name, email.message_from_binary_file(f, policy=email.policy.default)))
        return found

    def find(self, to, subject_has):
        for name, msg in self.all():
            if name not in self.taken and to.lower() in str(msg["To"]).lower() and subject_has in str(msg["Subject"]):
                return name, msg
        return None

    def wait_for(self, driver, to, subject_has):
        """Waits for an e-mail to `to` whose subject contains `subject_has` that no step has read yet."""
        try:
            name, msg = WebDriverWait(driver, WAIT, poll_frequency=0.2).until(lambda _: self.find(to, subject_has))
        except TimeoutException:
            seen = [str(m["Subject"]) for _, m in self.all() if to.lower() in str(m["To"]).lower()]
            raise AssertionError(f"no new e-mail to {to} about {subject_has!r}; it has: {seen}") from None
        self.taken.add(name)
        return msg

    def links(self, msg):
        """Links to this server in the e-mail's plain text part."""
        text = msg.get_body(preferencelist=("plain",)).get_content()
        return re.findall(re.escape(self.base_url) + r"/[^\s<>\"')]*", text)

    def count(self, subject):
        return sum(1 for _, msg in self.all() if str(msg["Subject"]) == subject)


class Browser:
    """Headless Chromium through chromedriver. Each page the journey reaches is checked with axe-core and
    photographed; serious or critical violations are recorded and fail the journey at its end."""

    def __init__(self, server, artifacts, journey):
        self.base_url = server.base_url
        self.artifacts = Path(artifacts)
        self.journey = journey
        self.shots = 0
        self.violations = []
        self.notes = []
        self.profile = tempfile.mkdtemp(prefix="swn-e2e-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for flag in (
            "--headless",
            "--no-sandbox",  # we run as root in CI
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--ignore-certificate-errors",  # only the stand-in meeting room (MeetingRoom) has a self-signed one
            "--window-size=1280,900",
            f"--user-data-dir={self.profile}",
        ):
            options.add_argument(flag)
        # An explicit chromedriver, so Selenium Manager never tries to download one.
        self.driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
        self.driver.set_script_timeout(60)
        self.wait = WebDriverWait(self.driver, WAIT)
        self.axe = AXE_JS.read_text()

    def quit(self):
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)

    # Navigation: every way of reaching a page ends in check().

    def visit(self, path):
        self.driver.get(self.base_url + path)
        self.check()

    def follow(self, url):
        """Opens a link read from an e-mail, as a person clicking it in their mail client would."""
        assert url.startswith(self.base_url), f"{url} is not on the server under test"
        self.driver.get(url)
        self.check()

    def click(self, element):
        """Clicks a link or a submit button and waits for the next page to load."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        element.click()

        def replaced(_):
            try:
                old.is_enabled()
                return False
            except StaleElementReferenceException:
                return True
            except WebDriverException as e:
                # chromedriver sometimes says this instead of "stale" while the new page replaces the old one.
                if "does not belong to the document" in str(e):
                    return True
                raise

        self.wait.until(replaced, f"clicking did not lead to a new page from {self.path()}")
        self.check()

    def click_link(self, text, within="body"):
        """Clicks the link with this exact text, the first inside the `within` CSS selector."""
        self.click(self.wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, within))).find_element(By.LINK_TEXT, text))

    def press(self, label, scope=None):
        """Clicks the submit button whose visible text is `label` (inside `scope` if given)."""
        root = scope or self.driver
        buttons = [b for b in root.find_elements(By.CSS_SELECTOR, "button") if b.text.strip() == label]
        assert buttons, f"no button {label!r} on {self.driver.current_url}"
        self.click(buttons[0])

    def fill(self, field_id, value):
        el = self.driver.find_element(By.ID, field_id)
        if el.tag_name == "select":
            el.find_element(By.XPATH, f".//option[normalize-space()={json.dumps(value)}]").click()
        elif el.get_attribute("type") in ("checkbox", "radio"):
            if el.is_selected() != bool(value):
                el.click()
        else:
            el.clear()
            el.send_keys(value)

    def tick(self, label, on=True):
        """Ticks (or clears) the checkbox or radio button whose label reads `label`."""
        el = self.driver.find_element(By.XPATH, f"//label[normalize-space()={json.dumps(label)}]")
        self.fill(el.get_attribute("for"), on)

    # What the user sees.

    def h1(self):
        return self.driver.find_element(By.TAG_NAME, "h1").text

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def path(self):
        return self.driver.current_url.removeprefix(self.base_url)

    def sees(self, words):
        assert words in self.text(), f"{words!r} is not on {self.path()} (h1: {self.h1()!r})"

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    # Checks on every page.

    def check(self):
        """Runs axe-core at each width (a phone's layout can fail where a desktop's passes) and photographs the
        page there. Serious and critical violations fail the journey; lesser ones are only noted for reading."""
        self.wait.until(lambda d: d.execute_script("return document.readyState") == "complete")
        page = self.path()
        self.shots += 1
        # Screenshots are named after the path, with one-time tokens (long segments) left out.
        parts = [p if len(p) < 24 else "token" for p in page.split("?")[0].lower().split("/")]
        slug = re.sub(r"[^a-z0-9]+", "-", "-".join(parts)).strip("-")[:60] or "home"
        # The page's markup as the server sends it (not the browser's repaired copy), for the W3C Nu checker that
        # `e2e/run` runs over every page at the end. Fetched again with a GET, which changes nothing here.
        markup = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(location.href, {credentials: 'same-origin'}).then(r => r.text()).then(done, e => done(''));"
        )
        nu = self.artifacts / "nu"
        nu.mkdir(exist_ok=True)
        if page.startswith("/") and markup:  # our pages, not the stand-in meeting room
            (nu / f"{self.journey}-{self.shots:02d}-{slug}.html").write_text(markup)
        for width in WIDTHS:
            self.emulate(width, 800)
            # Nothing pushes the page sideways on a phone (a table scrolls inside its own box).
            wide = self.driver.execute_script("return document.documentElement.scrollWidth")
            if width < 600 and wide > width and page.startswith("/"):  # our pages, not the stand-in meeting room
                line = f"{page} at {width} px: the page is {wide} px wide"
                print("    layout: " + line, flush=True)
                self.violations.append(line)
            for v in self.axe_violations(page):
                targets = [" ".join(t if isinstance(t, str) else " >> ".join(t) for t in n["target"]) for n in v["nodes"]]
                line = f"{page} at {width} px: {v['id']} ({v['impact']}): {v['help']}; targets: {targets}"
                if v["impact"] in ("serious", "critical"):
                    print("    a11y: " + line, flush=True)
                    self.violations.append(line)
                else:
                    self.notes.append(line)
            # Full page height: the viewport grows to the document's height for the capture.
            self.emulate(width, min(self.driver.execute_script("return document.documentElement.scrollHeight"), 16000))
            shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
            (self.artifacts / f"{self.journey}-{self.shots:02d}-{slug}-{width}.png").write_bytes(
                base64.b64decode(shot["data"])
            )
        self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    def emulate(self, width, height):
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
        )

    def axe_violations(self, page):
        self.driver.execute_script(self.axe)  # defines window.axe; injected afresh, since each page is new
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']})"
            "  .then(r => done(r.violations), e => done({error: String(e)}));"
        )
        assert not (isinstance(result, dict) and "error" in result), f"axe failed on {page}: {result}"
        return result
