"""Takes docs/screenshot.png from a running demo (default http://127.0.0.1:8000) in Debian's chromium."""

import sys

from playwright.sync_api import sync_playwright

base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
code = sys.argv[2] if len(sys.argv) > 2 else "AB01"
with sync_playwright() as p:
    browser = p.chromium.launch(
        executable_path="/usr/bin/chromium",
        args=[
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    )
    page = browser.new_page(viewport={"width": 1200, "height": 1100})
    page.goto(f"{base}/neighbourhoods/{code}/")
    page.wait_for_selector("#map[data-loaded='true']")
    page.screenshot(path="docs/screenshot.png", full_page=False)
    browser.close()
