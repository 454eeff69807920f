#!/usr/bin/python3
"""Drive a `strata view` page in headless Chromium (Debian's chromium + chromium-driver through
python3-selenium) and check it: loads without console errors and without network requests,
shows one track per task with as many poll slices as `strata tasks --json` counts, draws a flame
graph, and writes a screenshot.

  check.py NAME PAGE [--tasks TASKS.json] [--banner TEXT] [--screenshot PNG]

Prints PASS/FAIL lines named view_NAME_<check>."""
import argparse
import json
import os
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

ap = argparse.ArgumentParser()
ap.add_argument("name")
ap.add_argument("page")
ap.add_argument("--tasks")
ap.add_argument("--banner")
ap.add_argument("--screenshot")
ap.add_argument("--source", help="clicking a function in the flame graph shows lines of this file")
ap.add_argument("--zoom-run", action="store_true",
                help="zooming in to one instruction run draws it (an itrace trace)")
ap.add_argument("--first-screen", action="store_true",
                help="print the time to the first screen and stop (bench/view/run)")
a = ap.parse_args()
failed = False


def ok(check, cond, detail=""):
    global failed
    if cond:
        print(f"PASS view_{a.name}_{check}")
    else:
        failed = True
        print(f"FAIL view_{a.name}_{check}: {detail}")


profile = tempfile.mkdtemp(prefix="strata-view-chromium-")
o = webdriver.ChromeOptions()
o.binary_location = "/usr/bin/chromium"
for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--window-size=1400,900", f"--user-data-dir={profile}", "--no-first-run",
            "--disable-background-networking", "--disable-component-update",
            "--disable-default-apps", "--disable-sync"):
    o.add_argument(arg)
o.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
drv = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
try:
    drv.set_script_timeout(60)
    url = "file://" + os.path.abspath(a.page)
    drv.get("about:blank")
    drv.get_log("performance")  # what the browser did before our page is not the page's doing
    t0 = time.monotonic()
    drv.get(url)
    ready = False
    for _ in range(600):
        if drv.execute_script("return window.strataReady === true && (window.strataFrames||0) > 0"):
            ready = True
            break
        time.sleep(0.05)
    first = time.monotonic() - t0
    ok("loads", ready, "window.strataReady never became true")
    if a.first_screen:  # the benchmark (bench/view/run): nothing else
        print(f"first screen: {first:.3f} s")
        sys.exit(0 if ready else 1)
    stats = drv.execute_async_script(
        "const done = arguments[arguments.length - 1]; strataStats().then(done, e => done({error: String(e)}));")
    ok("stats", stats and "error" not in stats, str(stats))
    if a.tasks:
        want = json.load(open(a.tasks))
        tasks = want["tasks"]
        ok("task_tracks", stats["taskTracks"] == len(tasks),
           f"page has {stats['taskTracks']} task tracks, strata tasks --json {len(tasks)} tasks")
        got = {int(k): v for k, v in stats["polls"].items()}
        exp = {t["id"]: t["polls"] for t in tasks if t["polls"]}
        ok("poll_slices", got == exp, f"poll slices per task {got}, strata tasks --json {exp}")
        wakes = sum(w["count"] for w in want["wakes"] if w["to"] >= 0)
        if wakes and stats["tiles"] <= 8:  # the whole trace in detail: every wake drawn
            arrows = drv.execute_script("return window.strataArrows || 0")
            ok("wake_arrows", 1 <= arrows <= wakes, f"{arrows} arrows drawn for {wakes} wakes")
    if a.banner is not None:
        ok("banner", a.banner in stats.get("banner", ""), f"banner {stats.get('banner')!r} lacks {a.banner!r}")
    if a.zoom_run:
        run = stats.get("run")
        ok("has_runs", run is not None, "no instruction run slice in the tiles")
        if run:
            # from the whole trace (summaries) down to the run itself: every slice drawn
            drv.execute_script("strataZoom(arguments[0], arguments[1])", run["t0"] - 2,
                               run["t0"] + max(run["dur"], 1) + 2)
            drawn = drv.execute_script("return strataDrawn()")
            ok("zoom_to_run", drawn["detail"] and drawn["kinds"].get("run", 0) >= 1 and
               "detail" in drawn["range"], str(drawn))
            drv.find_element(By.ID, "tl").click()  # the centre of the time line
    # the task table and one task's await tree
    drv.find_element(By.CSS_SELECTOR, "nav button[data-tab=tasks]").click()
    rows = drv.find_elements(By.CSS_SELECTOR, "#tasktable tbody tr")
    if a.tasks:
        ok("task_table", len(rows) == len(tasks), f"{len(rows)} rows, want {len(tasks)}")
        if rows:
            rows[0].click()
            text = drv.find_element(By.ID, "taskdetails").text
            ok("await_tree", "await tree:" in text and tasks[0]["tree"]["future"] in text, text[:300])
    # the flame graph of the first hart track
    drv.find_element(By.CSS_SELECTOR, "nav button[data-tab=flame]").click()
    time.sleep(0.2)
    rects = drv.execute_script("return window.strataFlameRects || 0")
    if stats.get("flameNodes"):
        ok("flame_graph", rects > 1, f"{rects} boxes drawn for {stats['flameNodes']} call-tree nodes")
    if a.source:
        # the first hart/level whose flame graph has a function with source lines
        boxes = []
        for opt in drv.find_elements(By.CSS_SELECTOR, "#fltrack option"):
            opt.click()
            time.sleep(0.2)
            # a box of a function declared in the file asked for
            boxes = [b for b in drv.execute_script("return strataFlameBoxes()")
                     if a.source in b["src"] and b["x1"] - b["x0"] > 4]
            if boxes:
                break
        cv = drv.find_element(By.ID, "fl")
        if boxes:
            b = boxes[0]
            ActionChains(drv).move_to_element_with_offset(
                cv, int((b["x0"] + b["x1"]) / 2 - cv.size["width"] / 2),
                int((b["y0"] + b["y1"]) / 2 - cv.size["height"] / 2)).click().perform()
            text = drv.find_element(By.ID, "fldetails").text
        ok("source_lines", boxes and a.source in text and ">" in text,
           f"{len(boxes)} boxes with source; details: {text[:200] if boxes else ''}")
    drv.find_element(By.CSS_SELECTOR, "nav button[data-tab=timeline]").click()
    time.sleep(0.2)
    if a.screenshot:
        os.makedirs(os.path.dirname(os.path.abspath(a.screenshot)), exist_ok=True)
        ok("screenshot", drv.save_screenshot(a.screenshot) and os.path.getsize(a.screenshot) > 1000,
           a.screenshot)
    errors = [e for e in drv.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    ok("no_console_errors", not errors, "; ".join(e["message"][:200] for e in errors[:5]))
    base = os.path.dirname(os.path.abspath(a.page))
    reqs = []
    for e in drv.get_log("performance"):
        m = json.loads(e["message"])["message"]
        if m.get("method") == "Network.requestWillBeSent":
            reqs.append(m["params"]["request"]["url"])
    bad = [u for u in reqs if not (u.startswith("file://" + base) or u.startswith("data:"))]
    ok("no_network", not bad, f"requests outside the page's folder: {bad[:5]}")
finally:
    drv.quit()
sys.exit(1 if failed else 0)
