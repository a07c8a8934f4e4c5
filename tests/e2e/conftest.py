"""End-to-end fixtures: the live Horizon, the local cloud's facts, headless Chromium.

``tools/run-tests`` starts the local cloud (tools/devcloud), seeds it, installs
the plugin into Horizon and serves it, then runs these tests with
``EVENT_VIEWER_E2E_URL`` and ``DEVCLOUD_HOME`` set. Run on their own, they need
the same (see README.md).
"""

import json
import os
import pathlib
import re
import shutil
import subprocess
import tempfile
import uuid

import pytest
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from selenium import webdriver
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "artifacts"
DEVCLOUD = REPO_ROOT / "tools" / "devcloud" / "devcloud"
WAIT_SECONDS = 30
# A page that re-renders (Horizon's redirect after a filter, a table refresh)
# replaces the elements found before it: a wait re-finds them on each try.
REPLACED = (StaleElementReferenceException, NoSuchElementException)


@pytest.fixture(scope="session")
def horizon_url():
    url = os.environ.get("EVENT_VIEWER_E2E_URL")
    if not url:
        pytest.fail("EVENT_VIEWER_E2E_URL is not set: run the e2e tests through tools/run-tests")
    return url.rstrip("/")


@pytest.fixture(scope="session")
def cloud():
    """The seeded cloud's facts (users, projects, seeded ids) written by ``devcloud seed``."""
    home = pathlib.Path(os.environ.get("DEVCLOUD_HOME", REPO_ROOT / ".devcloud"))
    return json.loads((home / "cloud.json").read_text())


def cinder_message_ids(cloud, user, **filters):
    """The ids of the user's project's messages, asked of the real Cinder directly."""
    return {m["id"] for m in cinder_messages(cloud, user, **filters)}


def api_session(cloud, user):
    """A keystoneauth session of the user on the real cloud (for checks beside the browser)."""
    account = cloud["users"][user]
    auth = v3.Password(
        auth_url=cloud["auth_url"],
        username=account["username"],
        password=account["password"],
        project_name=account["project_name"],
        user_domain_id="default",
        project_domain_id="default",
    )
    return ks_session.Session(auth=auth, timeout=30)


def cinder_messages(cloud, user, **filters):
    """The user's project's messages, asked of the real Cinder directly."""
    response = api_session(cloud, user).get(
        "/messages",
        params={"project_id": cloud["users"][user]["project_id"], **filters},
        endpoint_filter={"service_type": "volumev3", "interface": "public"},
        headers={"OpenStack-API-Version": "volume 3.30"},
    )
    return response.json()["messages"]


def devcloud(*args):
    """Run a devcloud command (e.g. stop-service cinder-api) and fail loudly if it fails."""
    subprocess.run([str(DEVCLOUD), *args], check=True, timeout=180)


class Browser:
    """A logged-in headless Chromium, with helpers the tests share."""

    def __init__(self, driver, base_url, name):
        self.driver = driver
        self.base_url = base_url
        self.name = name

    def open(self, path):
        self.driver.get(self.base_url + path)

    def login(self, username, password):
        self.open("/auth/login/")
        self.driver.find_element(By.ID, "id_username").send_keys(username)
        self.driver.find_element(By.ID, "id_password").send_keys(password)
        self.driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        WebDriverWait(self.driver, WAIT_SECONDS).until(lambda d: "/auth/login" not in d.current_url)

    def wait_for(self, css):
        return WebDriverWait(self.driver, WAIT_SECONDS).until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css))
        )

    def read(self, read_page, seconds=WAIT_SECONDS):
        """``read_page(driver)`` once it returns a truthy value, re-run while the page changes.

        Everything the test reads from elements belongs inside ``read_page``:
        an element found outside the wait may be replaced before it is read.
        """
        return WebDriverWait(self.driver, seconds, ignored_exceptions=REPLACED).until(read_page)

    def submit_and_wait(self, button):
        """Click ``button`` and wait until a new page, fully loaded, replaced the one it was on.

        The old page is told apart by a mark set on it, not by one of its
        elements: while the browser navigates, asking about an old element may
        fail in other ways than "stale" (Chromium: "Node with given id does not
        belong to the document").
        """
        mark = uuid.uuid4().hex
        self.driver.execute_script("document.documentElement.dataset.e2ePage = arguments[0];", mark)
        button.click()
        WebDriverWait(self.driver, WAIT_SECONDS, ignored_exceptions=(WebDriverException,)).until(
            lambda driver: driver.execute_script(
                "return document.readyState === 'complete'"
                " && document.documentElement.dataset.e2ePage !== arguments[0];",
                mark,
            )
        )

    def wait_until_replaced(self, element):
        """Wait until ``element`` is no longer in the page (a new page, or re-rendered)."""
        WebDriverWait(self.driver, WAIT_SECONDS).until(lambda _driver: _replaced(element))

    def filter_table(self, path, table_id, field, value):
        """Horizon's filter box of a table: choose the field, type the value, press Filter."""
        self.open(path)
        self.wait_for(f"select[name={table_id}__filter__q_field]")
        self.driver.execute_script(
            "document.querySelector(arguments[0]).value = arguments[1];",
            f"select[name={table_id}__filter__q_field]",
            field,
        )
        box = self.driver.find_element(By.NAME, f"{table_id}__filter__q")
        box.clear()
        box.send_keys(value)
        # The old page's table is there until the filtered page replaces it.
        self.submit_and_wait(self.driver.find_element(By.ID, f"{table_id}__action_filter"))
        self.wait_for(f"table#{table_id}")

    def table_rows(self, table_id):
        """The data rows of a Horizon table (empty-table row excluded)."""
        self.wait_for(f"table#{table_id}")
        return self.driver.find_elements(By.CSS_SELECTOR, f"table#{table_id} tbody tr:not(.empty)")

    def page_text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def screenshot(self, label):
        ARTIFACTS.mkdir(exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{self.name}-{label}")
        path = ARTIFACTS / f"{safe}.png"
        self.driver.save_screenshot(str(path))
        return path


def _replaced(element):
    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        # Chromium's answer for an element of a document it has navigated away
        # from; other errors mid-navigation: ask again.
        return "does not belong to the document" in str(error)
    return False


def _chromium_options(profile_dir):
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1400,1000",
        f"--user-data-dir={profile_dir}",
    ):
        options.add_argument(flag)
    return options


@pytest.fixture
def browser_factory(horizon_url, request):
    """Make logged-in browsers: ``browser_factory("alice")`` (password = user name)."""
    made = []

    def make(username, password=None):
        profile = tempfile.mkdtemp(prefix="event-viewer-chromium-")
        service = webdriver.ChromeService(
            executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver"
        )
        driver = webdriver.Chrome(options=_chromium_options(profile), service=service)
        driver.set_page_load_timeout(60)
        browser = Browser(driver, horizon_url, f"{request.node.name}-{username}")
        made.append((browser, profile))
        browser.login(username, password or username)
        return browser

    yield make
    for browser, profile in made:
        try:
            browser.screenshot("final")
        finally:
            browser.driver.quit()
            shutil.rmtree(profile, ignore_errors=True)
