"""Browser tests: Playwright drives Debian's headless Chromium against a live server (make e2e)."""
