#!/usr/bin/env python3
"""Screenshots of the sign-in, consent and Connected apps pages, for the README.

Starts `better-i18n serve --demo` on a fresh database, drives headless Chromium (Debian's
`chromium` and `chromium-driver`) through sign-in and a real consent for the demo web client,
and writes PNGs to docs/screenshots/, wide and narrow (phone-sized).

Usage: python3 scripts/screenshots.py [--binary .build/release/better-i18n]
Needs: apt-get install chromium chromium-driver; pip install selenium requests
"""
import argparse
import base64
import hashlib
import os
import re
import secrets
import socket
import subprocess
import tempfile
import time
from urllib.parse import urlencode

import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "docs", "screenshots")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "better-i18n"))
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    work = tempfile.mkdtemp(prefix="better-i18n-shots-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [args.binary, "serve", "--demo", "--port", str(port), "--bcrypt-cost", "4",
         "--database-url", "sqlite://" + os.path.join(work, "db.sqlite")],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    printed = ""
    while "shown once" not in printed:
        line = server.stdout.readline()
        if not line:
            raise SystemExit("the server exited before printing the demo credentials")
        printed += line
    password = re.search(r"Password:\s+(\S+)", printed).group(1)
    client_id = re.search(r"client_id:\s+(bic_\S+)", printed).group(1)  # the confidential web client
    for _ in range(100):
        try:
            if requests.get(base + "/healthz", timeout=1).ok:
                break
        except requests.RequestException:
            time.sleep(0.1)

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)

    def shot(name, width, height=None):
        driver.set_window_size(width, height or 900)
        full = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, max(full, 400) if height is None else height)
        time.sleep(0.2)
        driver.save_screenshot(os.path.join(OUT, name))
        print("wrote", os.path.join(OUT, name))

    try:
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        authorize = base + "/api/auth/mcp/authorize?" + urlencode({
            "response_type": "code", "client_id": client_id, "redirect_uri": "https://partner.example.com/oauth/callback",
            "state": "screenshot", "code_challenge": challenge, "code_challenge_method": "S256",
            "scope": "org:read projects:read keys:read keys:write translations:read translations:write translations:publish",
        })
        driver.get(authorize)  # not signed in: goes to the sign-in page and comes back
        shot("sign-in.png", 1200, 760)
        shot("sign-in-narrow.png", 390, 760)
        driver.set_window_size(1200, 900)
        driver.find_element(By.NAME, "email").send_keys("demo@example.com")
        driver.find_element(By.NAME, "password").send_keys(password)
        driver.find_element(By.CSS_SELECTOR, "#login button[type=submit]").click()
        for _ in range(50):
            if 'id="consent"' in driver.page_source:
                break
            time.sleep(0.1)
        else:
            raise SystemExit(f"no consent page after sign-in: {driver.current_url}\n{driver.page_source[:2000]}")
        shot("consent.png", 1200)
        shot("consent-narrow.png", 390)
        driver.find_element(By.CSS_SELECTOR, "button[value=approve]").click()
        time.sleep(0.3)  # the browser goes on to partner.example.com, which does not resolve here
        driver.get(base + "/settings/connected-apps")
        shot("connected-apps.png", 1280)
        shot("connected-apps-narrow.png", 390)
    finally:
        driver.quit()
        server.terminate()
        server.wait(timeout=15)


if __name__ == "__main__":
    main()
