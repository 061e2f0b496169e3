"""Pages on a weak village phone connection (a benchmark: it reports numbers against targets, never fails).

    python bench/weak_network.py                  # this checkout, static files as production serves them
    python bench/weak_network.py --static plain   # static files straight from the folders, uncompressed, max-age 60
    python bench/weak_network.py --root /tmp/old-checkout --static plain --label before

It builds a demo database once (migrate, createcachetable, load_demo; a SQLite file under --work, reused on the
next run), runs collectstatic into a temporary STATIC_ROOT (``--static manifest``: hashed names, gzip and brotli
copies, long-lived caching, i.e. production's storage), starts ``manage.py runserver`` with DEBUG off on a free
port (WhiteNoise serves the static files, as in production) and drives Debian's chromium through Playwright
(never a downloaded browser) with Chrome's "slow 3G" network emulation over CDP: 400 ms latency, 400 kbit/s down
and up. For each page, in a fresh browser context (empty cache): first contentful paint, the load event, the bytes
that crossed the network and the number of requests; then the same page again in the same context (warm cache)
and, after ``--revisit-after`` seconds (past the old 60 s max-age), once more: the next day's visit.

Pages: the login page (anonymous), /home/ and the need form /needs/new/ as the demo town user ``huangkeng``.
Targets (issue "Accessible to everyone, fast on a village phone"): empty cache first paint <= 3 s and load <= 5 s,
warm cache first paint <= 1 s. Results: bench/RESULTS-weak-network.md.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
USER, PASSWORD = "huangkeng", "Demo@2025kj"
PAGES = [("login", "/accounts/login/", False), ("home", "/home/", True), ("need form", "/needs/new/", True)]
# Chrome DevTools' "Slow 3G" preset (latency in ms, throughput in bytes per second).
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
TARGETS = {"cold_fcp": 3.0, "cold_load": 5.0, "warm_fcp": 1.0}

MEASURE = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint');
  const resources = performance.getEntriesByType('resource');
  return {
    fcp: fcp ? fcp.startTime : null,
    load: nav.loadEventEnd,
    html_bytes: nav.transferSize,
    bytes: nav.transferSize + resources.reduce((sum, e) => sum + e.transferSize, 0),
    requests: 1 + resources.length,
    from_network: 1 + resources.filter(e => e.transferSize > 0).length,
  };
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(work: Path, static_mode: str, static_root: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("DJANGO_ENV", "DEBUG", "STATIC_MANIFEST")}
    env.update(DATABASE_URL="sqlite:///%s" % (work / "db.sqlite3"), KJTPY_VAR_DIR=str(work / "var"),
               ALLOWED_HOSTS="127.0.0.1,localhost", STATIC_ROOT=str(static_root), PYTHONUNBUFFERED="1",
               STATIC_MANIFEST="1" if static_mode == "manifest" else "0", DJANGO_SETTINGS_MODULE="config.settings")
    return env


def manage(root: Path, env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=root, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def prepare(root: Path, work: Path, static_mode: str, static_root: Path) -> dict:
    env = environment(work, static_mode, static_root)
    if not (work / "db.sqlite3").exists():
        print("building the demo database in %s (about a minute) …" % work, flush=True)
        manage(root, env, "migrate", "--noinput", "-v", "0")
        manage(root, env, "createcachetable")
        manage(root, env, "load_demo")
    if static_mode == "manifest":
        manage(root, env, "collectstatic", "--noinput", "-v", "0")
    return env


def start_server(root: Path, env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "manage.py", "runserver", "127.0.0.1:%d" % port, "--noreload"],
                              cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/accounts/login/" % port, timeout=2).read()
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("the server did not answer within 60 s")


def signed_in_state(browser, base: str) -> dict:
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", USER)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/home/")
    state = context.storage_state()
    context.close()
    return state


def visit(page, cdp, url: str) -> dict:
    page.goto(url, wait_until="load", timeout=120_000)
    page.wait_for_function("performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
    result = page.evaluate(MEASURE)
    result["fcp"] = None if result["fcp"] is None else round(result["fcp"] / 1000, 2)
    result["load"] = round(result["load"] / 1000, 2)
    return result


def run(browser, base: str, state: dict, width: int, revisit_after: float) -> list[dict]:
    rows, open_pages = [], []
    for name, path, signed_in in PAGES:
        context = browser.new_context(storage_state=state if signed_in else None, locale="zh-CN",
                                      viewport={"width": width, "height": 800})
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        cold = visit(page, cdp, base + path)
        page.goto("about:blank")
        warm = visit(page, cdp, base + path)
        rows.append({"page": name, "path": path, "cold": cold, "warm": warm})
        open_pages.append((context, page, cdp))
    if revisit_after:
        time.sleep(revisit_after)
        for row, (context, page, cdp) in zip(rows, open_pages):
            page.goto("about:blank")
            row["later"] = visit(page, cdp, base + row["path"])
    for context, _, _ in open_pages:
        context.close()
    return rows


def verdict(value, limit) -> str:
    return "—" if value is None else ("%.2f s %s" % (value, "✓" if value <= limit else "✗"))


def report(rows: list[dict], label: str) -> str:
    lines = ["%s:" % label, "",
             "| page | empty cache: first paint | load | KB over the network | requests | warm: first paint | load "
             "| KB | next visit (> max-age): first paint | KB |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for row in rows:
        cold, warm, later = row["cold"], row["warm"], row.get("later")
        lines.append("| %s `%s` | %s | %s | %.0f | %d | %s | %.2f s | %.1f | %s | %s |" % (
            row["page"], row["path"], verdict(cold["fcp"], TARGETS["cold_fcp"]),
            verdict(cold["load"], TARGETS["cold_load"]), cold["bytes"] / 1024, cold["requests"],
            verdict(warm["fcp"], TARGETS["warm_fcp"]), warm["load"], warm["bytes"] / 1024,
            verdict(later["fcp"], TARGETS["warm_fcp"]) if later else "—",
            "%.1f" % (later["bytes"] / 1024) if later else "—"))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to serve (default: this one)")
    parser.add_argument("--static", choices=("manifest", "plain"), default="manifest",
                        help="manifest: collectstatic with hashed, compressed files (production); plain: the "
                             "folders as they are, uncompressed")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "light",
                        help="where the demo database and keys live (reused)")
    parser.add_argument("--width", type=int, default=390, help="viewport width (a phone: 390)")
    parser.add_argument("--revisit-after", type=float, default=65, help="seconds before the next visit; 0: skip")
    parser.add_argument("--label", default=None)
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    options = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print("chromium not found at %s" % CHROMIUM)
        return 0
    from playwright.sync_api import sync_playwright

    options.work.mkdir(parents=True, exist_ok=True)
    static_root = Path(tempfile.mkdtemp(prefix="weak-network-static-"))
    server = None
    try:
        env = prepare(options.root.resolve(), options.work, options.static, static_root)
        port = free_port()
        server = start_server(options.root.resolve(), env, port)
        base = "http://127.0.0.1:%d" % port
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            rows = run(browser, base, signed_in_state(browser, base), options.width, options.revisit_after)
            browser.close()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(static_root, ignore_errors=True)
    label = options.label or "%s, static %s" % (options.root.resolve(), options.static)
    print(report(rows, label))
    if options.json:
        options.json.write_text(json.dumps({"label": label, "rows": rows}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
