"""The dashboard in a real browser: headless Chromium (Debian's chromium + chromium-driver)
driven by Selenium against a `serve --demo` server.

Walks what a translation team does: sign in, open the project, filter to keys missing in German,
fix one, see the ICU error for a broken value at its character, publish and read the new value
from the CDN; invite a colleague, accept as a new user, and check that a member cannot publish.
Values are saved by the page's script without reloading; the Swift tests cover the same forms
without script.

With BETTER_I18N_SCREENSHOTS=DIR it saves every dashboard page it visits, 1280 and 390 pixels
wide, as NAME.png and NAME-narrow.png (docs/screenshots/ holds the committed ones).
"""
import os
import re
import shutil
import time

import pytest
import requests
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import Server

CHROMIUM = os.environ.get("BETTER_I18N_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
DRIVER = os.environ.get("BETTER_I18N_CHROMEDRIVER", shutil.which("chromedriver") or "/usr/bin/chromedriver")
SHOTS = os.environ.get("BETTER_I18N_SCREENSHOTS")


@pytest.fixture(scope="module")
def demo():
    server = Server(extra_args=["--demo"])
    server.start()
    match = re.search(r"Password:\s+(\S+)", server.logs())
    assert match, server.logs()
    server.password = match.group(1)
    yield server
    server.stop()


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=en-US"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_window_size(1280, 900)
    yield driver
    driver.quit()


def shoot(driver, name):
    """Saves the whole page, wide and narrow, when screenshots are asked for."""
    if not SHOTS:
        return
    os.makedirs(SHOTS, exist_ok=True)
    for width in (1280, 390):
        # The viewport itself is resized (a phone is 390 CSS pixels wide), then made as tall as the page.
        metrics = {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600}
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        height = driver.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**metrics, "height": min(max(height, 600), 3200)})
        time.sleep(0.5)  # let the resized page lay out and paint before the picture
        driver.save_screenshot(os.path.join(SHOTS, f"{name}.png" if width > 600 else f"{name}-narrow.png"))
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def sign_in(driver, base, email, password):
    driver.get(base + "/login")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(password)
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#login button[type=submit]"))
    WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, "section.org")))


def submit(driver, button):
    """Clicks a form's button and waits for the next page to replace this one."""
    page = driver.find_element(By.TAG_NAME, "html")
    button.click()
    WebDriverWait(driver, 10).until(lambda _: replaced(page))


def replaced(element):
    """Whether `element` has left the document. Mid-navigation chromedriver sometimes answers
    "Node with given id does not belong to the document" (a plain WebDriverException) instead
    of a stale-element error; both mean the old page is gone."""
    try:
        element.is_enabled()
        return False
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if "does not belong to the document" in str(error):
            return True
        raise


def key_row(driver, name):
    for article in driver.find_elements(By.CSS_SELECTOR, "article.key"):
        if article.find_element(By.CSS_SELECTOR, ".key-name code").text == name:
            return article
    raise AssertionError(f"no row for {name}: " + driver.page_source[:2000])


def test_translate_publish_invite_and_member_cannot_publish(demo, browser):
    base = demo.base
    project = base + "/orgs/acme/projects/web-app"
    sign_in(browser, base, "demo@example.com", demo.password)
    assert "Acme" in browser.page_source
    shoot(browser, "home")

    # Open the project from the home page and add a key that has no German value yet.
    submit(browser, browser.find_element(By.CSS_SELECTOR, "a[href='/orgs/acme/projects/web-app']"))
    assert browser.find_element(By.TAG_NAME, "h1").text
    browser.find_element(By.ID, "new-key-name").send_keys("gift_note")
    browser.find_element(By.ID, "new-key-namespace").send_keys("checkout")
    browser.find_element(By.ID, "new-key-value").send_keys("Add a gift note")
    submit(browser, browser.find_element(By.CSS_SELECTOR, "#add-key button[type=submit]"))

    # Filter to keys missing in German: the new key is there, German keys with values are not.
    Select(browser.find_element(By.ID, "filter-missing")).select_by_value("de")
    submit(browser, browser.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]"))
    assert "missing=de" in browser.current_url
    names = [code.text for code in browser.find_elements(By.CSS_SELECTOR, "article.key .key-name code")]
    assert "checkout:gift_note" in names
    assert "checkout:cart.title" not in names
    shoot(browser, "project-missing-de")

    # A broken ICU value is refused and shown at its character; nothing is saved. The page's
    # script saves in place (no reload): the error appears beside the field, the key's
    # aria-live status says it was not saved, and focus moves to the field.
    row = key_row(browser, "checkout:gift_note")
    german = row.find_element(By.CSS_SELECTOR, "textarea[name='value.de']")
    german.send_keys("Geschenknotiz für {name")
    page = browser.find_element(By.TAG_NAME, "html")
    row.find_element(By.CSS_SELECTOR, ".key-actions button").click()
    error = WebDriverWait(browser, 10).until(EC.visibility_of_element_located((By.CSS_SELECTOR, ".field-error")))
    assert "at character" in error.text
    assert browser.find_element(By.CSS_SELECTOR, ".field-error mark")
    invalid = browser.find_element(By.CSS_SELECTOR, "textarea[aria-invalid=true]")
    assert invalid.get_attribute("value") == "Geschenknotiz für {name"
    assert browser.switch_to.active_element == invalid
    status = row.find_element(By.CSS_SELECTOR, ".save-status")
    assert status.get_attribute("aria-live") == "polite" and status.text.startswith("Not saved")
    assert browser.find_element(By.TAG_NAME, "html") == page, "saved in place, without reloading"
    shoot(browser, "project-icu-error")

    # Fix it: saved in place; after a reload the key has left the "missing in German" list.
    invalid.clear()
    invalid.send_keys("Geschenknotiz hinzufügen")
    row.find_element(By.CSS_SELECTOR, ".key-actions button").click()
    WebDriverWait(browser, 10).until(lambda _: status.text.startswith("Saved"))
    assert not browser.find_elements(By.CSS_SELECTOR, ".field-error")
    browser.refresh()
    assert "checkout:gift_note" not in [c.text for c in browser.find_elements(By.CSS_SELECTOR, "article.key .key-name code")]

    # Publish says what it will change, and the CDN serves the new value.
    browser.get(project)
    button = browser.find_element(By.CSS_SELECTOR, "#publish-form button")
    assert "de" in button.text and "Publish" in button.text
    assert "checkout:gift_note" in browser.find_element(By.ID, "publish").get_attribute("textContent")
    shoot(browser, "project")
    submit(browser, button)
    WebDriverWait(browser, 10).until(EC.url_contains("published="))
    assert "is published" in browser.find_element(By.CSS_SELECTOR, "p.notice").text
    link = browser.find_element(By.CSS_SELECTOR, "#releases table a").get_attribute("href")
    assert link.startswith(base + "/cdn/acme/web-app/v")
    served = requests.get(base + "/cdn/acme/web-app/de/checkout.json", timeout=10)
    assert served.status_code == 200
    assert served.json()["gift_note"] == "Geschenknotiz hinzufügen"

    # Invite a colleague: the link is shown once, absolute.
    browser.get(base + "/orgs/acme/members")
    browser.find_element(By.ID, "invite-email").send_keys("colleague@example.com")
    Select(browser.find_element(By.ID, "invite-role")).select_by_value("member")
    submit(browser, browser.find_element(By.CSS_SELECTOR, ".invite-form button[type=submit]"))
    invitation = browser.find_element(By.ID, "invitation-link").get_attribute("value")
    assert re.fullmatch(re.escape(base) + r"/invitations/bi_inv_[0-9A-Za-z]{38}", invitation), invitation
    shoot(browser, "members")

    # Accept as a new user in a fresh browser session: name and password, then signed in.
    browser.delete_all_cookies()
    browser.get(invitation)
    assert "colleague@example.com" in browser.page_source
    shoot(browser, "invitation")
    browser.find_element(By.ID, "name").send_keys("Cole League")
    browser.find_element(By.ID, "password").send_keys("a long new password")
    submit(browser, browser.find_element(By.CSS_SELECTOR, "#accept button[type=submit]"))
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, "section.org")))
    assert "Cole League" in browser.page_source
    browser.get(invitation)
    assert "already used" in browser.page_source

    # A member edits but cannot publish: no button, and a forged post is refused with 403.
    browser.get(project)
    assert not browser.find_elements(By.ID, "publish-form")
    assert "Owners and admins publish." in browser.page_source
    csrf = browser.find_element(By.CSS_SELECTOR, "input[name=csrf_token]").get_attribute("value")
    session = requests.Session()
    for cookie in browser.get_cookies():
        session.cookies.set(cookie["name"], cookie["value"])
    refused = session.post(project + "/publish", data={"csrf_token": csrf}, allow_redirects=False, timeout=10)
    assert refused.status_code == 403
    members = session.get(base + "/orgs/acme/members", allow_redirects=False, timeout=10)
    assert members.status_code == 403
    assert refused.headers["X-Frame-Options"] == "DENY"


def test_owner_creates_an_api_key_and_a_webhook(demo, browser):
    """Settings → API keys and Settings → Webhooks, as an owner uses them: each secret is shown
    once, the key reads published content at once, and the webhook has its own page."""
    base = demo.base
    sign_in(browser, base, "demo@example.com", demo.password)

    browser.get(base + "/settings/api-keys")
    browser.find_element(By.ID, "key-name").send_keys("Marketing site")
    submit(browser, browser.find_element(By.CSS_SELECTOR, "#create-api-key button[type=submit]"))
    key = browser.find_element(By.ID, "new-api-key").text
    assert re.fullmatch(r"bi_pub_[0-9A-Za-z]{38}", key), key
    assert "Marketing site" in browser.page_source
    shoot(browser, "api-keys")
    answer = requests.get(base + "/v1/content/acme/web-app/models/blog/entries", headers={"x-api-key": key}, timeout=10)
    assert answer.status_code == 200 and answer.json()["total"] >= 1
    browser.refresh()
    assert key not in browser.page_source, "a key is shown once"

    browser.get(base + "/settings/webhooks")
    form = browser.find_element(By.CSS_SELECTOR, "form.new-webhook")
    # A public address literal: no name to resolve on this offline machine, and not private.
    form.find_element(By.CSS_SELECTOR, "input[name=url]").send_keys("https://93.184.215.14/hooks/better-i18n")
    form.find_element(By.CSS_SELECTOR, "input[name=events][value='release.published']").click()
    submit(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert re.search(r"whsec_[A-Za-z0-9+/=]{40,}", browser.page_source), browser.page_source[:2000]
    shoot(browser, "webhook-created")
    browser.get(base + "/settings/webhooks")
    assert "93.184.215.14" in browser.page_source
    assert "whsec_" not in browser.page_source, "a signing secret is shown once"
    shoot(browser, "webhooks")
    submit(browser, browser.find_element(By.CSS_SELECTOR, "table.webhooks a[href^='/settings/webhooks/wh_']"))
    assert "Rotate secret" in browser.page_source and "Send test" in browser.page_source
    shoot(browser, "webhook")
