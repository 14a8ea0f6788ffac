#!/usr/bin/env python3
"""Drives the demo page (GET /) in headless Chromium against a real gateway.

Run from the package root:  python3 Tests/JS/browser_test.py
Needs the Debian packages `chromium` and `chromium-driver` and `pip install selenium`;
without them it prints SKIPPED and exits 0. The gateway binary is $SESSIONGATE_BIN or
.build/debug/sessiongate. Screenshots of every state go to test-output/browser/.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request

ADMIN_TOKEN = "browser-test-token"
PASSWORD = "demo-password"
FUNCTION = f"""
return function(event, context)
  if event.authParams.password == {json.dumps(PASSWORD)} then
    return true
  end
  return false, {{ message = "Wrong password", reason = "bad_password" }}
end
"""
OUTPUT = os.path.join("test-output", "browser")


def skip(reason):
    print(f"SKIPPED: {reason}")
    sys.exit(0)


def find_browser():
    try:
        import selenium  # noqa: F401
    except ImportError:
        skip("selenium is not installed (pip install selenium)")
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    driver = shutil.which("chromedriver")
    if not browser:
        skip("Chromium is not installed (apt-get install chromium chromium-driver)")
    if not driver:
        skip("chromedriver is not installed (apt-get install chromium-driver)")
    return browser, driver


class Gateway:
    """`sessiongate serve` on a free port with a temporary functions folder."""

    def __init__(self):
        binary = os.path.abspath(os.environ.get("SESSIONGATE_BIN", ".build/debug/sessiongate"))
        if not os.access(binary, os.X_OK):
            raise RuntimeError(f"gateway binary not found at {binary}; build it or set SESSIONGATE_BIN")
        self.folder = tempfile.mkdtemp(prefix="sessiongate-browser-")
        functions = os.path.join(self.folder, "functions")
        os.mkdir(functions)
        with open(os.path.join(functions, "10-password.lua"), "w") as file:
            file.write(FUNCTION)
        self.process = subprocess.Popen(
            [binary, "serve", "--port", "0", "--functions", functions, "--database", "sqlite::memory:",
             "--admin-token", ADMIN_TOKEN, "--log-level", "warn"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.url = self._wait_for_listening_line()

    def _wait_for_listening_line(self):
        found = {}

        def read():
            for line in self.process.stdout:
                match = re.search(r"listening on (http://\S+)", line)
                if match:
                    found["url"] = match.group(1).rstrip("/")
                    return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(30)
        if "url" not in found:
            self.stop()
            raise RuntimeError("the gateway did not print its listening line within 30 s: "
                               + (self.process.stderr.read() if self.process.stderr else ""))
        return found["url"]

    def revoke(self, session_id):
        request = urllib.request.Request(
            f"{self.url}/v1/admin/sessions/{session_id}", method="DELETE",
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


class Run:
    """Counts checks, prints each, and screenshots the page after each step."""

    def __init__(self, driver):
        self.driver = driver
        self.passed = 0
        self.failed = 0
        self.shots = 0

    def step(self, name, action):
        try:
            action()
            self.passed += 1
            print(f"✓ {name}")
        except Exception as error:  # noqa: BLE001 - any failure of a step is a failed check
            self.failed += 1
            print(f"✗ {name}: {type(error).__name__}: {error}")
            if os.environ.get("BROWSER_TEST_VERBOSE"):
                traceback.print_exc()
        self.shots += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        self.driver.save_screenshot(os.path.join(OUTPUT, f"{self.shots:02d}-{slug}.png"))


def main():
    browser, chromedriver = find_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as until
    from selenium.webdriver.support.ui import WebDriverWait

    os.makedirs(OUTPUT, exist_ok=True)
    try:
        gateway = Gateway()
    except RuntimeError as error:
        print(f"✗ start the gateway: {error}")
        print("0 passed, 1 failed")
        return 1

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1100,900"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    wait = WebDriverWait(driver, 10)
    run = Run(driver)

    def element(id):
        return driver.find_element(By.ID, id)

    def text_of(id):
        # textContent, not .text: CSS may transform what is rendered (the badge is uppercase).
        return (element(id).get_attribute("textContent") or "").strip()

    def wait_text(id, expected):
        try:
            wait.until(lambda _: text_of(id) == expected)
        except Exception:
            raise AssertionError(f"#{id} is {text_of(id)!r}, expected {expected!r}") from None

    def type_into(id, value):
        field = element(id)
        field.clear()
        if value:
            field.send_keys(value)

    def start(username, password=None, auth_params=None):
        type_into("username", username)
        type_into("password", "")
        type_into("auth-params", "")
        if password is not None:
            type_into("password", password)
        if auth_params is not None:
            type_into("auth-params", auth_params)
        element("start").click()

    try:
        def loads():
            driver.get(gateway.url + "/")
            assert driver.title == "sessiongate demo", f"title is {driver.title!r}"
            wait_text("function-count", "1")
            wait_text("state", "no session")
            assert not element("end").is_enabled(), "End is enabled without a session"
        run.step("the page loads and shows the function count", loads)

        def guest():
            start("guest-user")
            wait.until(until.visibility_of_element_located((By.ID, "session")))
            assert text_of("user-name") == "guest-user"
            assert text_of("user-display-name") == "guest-user"
            assert text_of("user-is-guest") == "yes"
            assert re.fullmatch(r"\d+", text_of("user-id")), text_of("user-id")
            wait_text("state", "active")
            wait_text("session-count", "1")
        run.step("a guest session starts and shows its user", guest)

        def session_active():
            element("start").click()
            wait.until(until.visibility_of_element_located((By.ID, "error")))
            assert text_of("error-code") == "session_active"
            assert text_of("error-type") == "SessionActiveError"
            wait_text("state", "active")
        run.step("a second start shows session_active", session_active)

        def end_guest():
            element("end").click()
            wait_text("state", "no session")
            assert not element("session").is_displayed()
        run.step("End ends the guest session", end_guest)

        def password_shortcut():
            type_into("auth-params", "")
            type_into("password", "wrong")
            assert json.loads(element("auth-params").get_attribute("value")) == {"password": "wrong"}
        run.step("the password field fills the auth params editor", password_shortcut)

        def wrong_password():
            start("jane@example.com", password="wrong")
            wait.until(until.visibility_of_element_located((By.ID, "error")))
            wait_text("error-code", "access_denied")
            assert text_of("error-type") == "AccessDeniedError"
            assert text_of("error-message") == "Wrong password"
            assert text_of("error-reason") == "bad_password"
            wait_text("state", "no session")
        run.step("a wrong password shows the typed access_denied error", wrong_password)

        def right_password():
            start("jane@example.com", password=PASSWORD)
            wait.until(until.visibility_of_element_located((By.ID, "session")))
            assert text_of("user-name") == "jane@example.com"
            assert text_of("user-is-guest") == "no"
            wait_text("state", "active")
        run.step("the right password starts an authenticated session", right_password)

        def end_authenticated():
            element("end").click()
            wait_text("state", "no session")
            wait_text("session-count", "0")
        run.step("End ends the authenticated session", end_authenticated)

        def bad_json():
            start("jane@example.com", auth_params="{not json")
            wait.until(lambda _: text_of("auth-params-error") != "")
            wait_text("state", "no session")
        run.step("auth params that are not a JSON object are refused on the page", bad_json)

        def revoked():
            start("revokee")
            wait.until(until.visibility_of_element_located((By.ID, "session")))
            wait_text("state", "active")
            session_id = text_of("session-id")
            assert gateway.revoke(session_id) in (200, 204)
            selector = f'#events li[data-session-id="{session_id}"][data-reason="revoked"]'
            wait.until(until.presence_of_element_located((By.CSS_SELECTOR, selector)))
            wait_text("state", "no session")
        run.step("a revoke through the admin API shows the sessionEnded event", revoked)
    finally:
        driver.quit()
        gateway.stop()

    print(f"{run.passed} passed, {run.failed} failed")
    return 1 if run.failed else 0


if __name__ == "__main__":
    sys.exit(main())
