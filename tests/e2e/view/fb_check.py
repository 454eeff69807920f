#!/usr/bin/python3
"""Check the frame buffer on a `strata view` page in headless Chromium (Debian's chromium +
chromium-driver through python3-selenium): the Screen tab is offered exactly when the page has a
frame, its canvas has the PPM's size and, pixel for pixel, the PPM's colours; no console errors.

  fb_check.py NAME PAGE (--ppm FRAME.ppm | --frames PATTERN | --none) [--screenshot PNG]

--frames: --fb-out's numbered frames (PATTERN has a %d): the page embeds every file that exists
(up to 64, first and last among them), a slider picks one, each equals its file.

Prints PASS/FAIL lines named view_fb_NAME_<check>."""
import argparse
import os
import shutil
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ap = argparse.ArgumentParser()
ap.add_argument("name")
ap.add_argument("page")
ap.add_argument("--ppm", help="the frame the page must show")
ap.add_argument("--frames", help="numbered frames, a file name with %%d")
ap.add_argument("--none", action="store_true", help="the page must offer no Screen tab")
ap.add_argument("--screenshot")
a = ap.parse_args()


def ok(check, cond, detail=""):
    print(f"PASS view_fb_{a.name}_{check}" if cond else f"FAIL view_fb_{a.name}_{check}: {detail}")


def iter_frames():
    """The numbered frame files that exist, from 0 on."""
    n = 0
    while os.path.exists(a.frames % n):
        yield a.frames % n
        n += 1


def read_ppm(path):
    """(w, h, rgb bytes) of a binary PPM as --fb-out writes it (no comments)."""
    data = open(path, "rb").read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(data[start:pos])
    assert fields[0] == b"P6" and fields[3] == b"255", fields
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[pos + 1:pos + 1 + w * h * 3]


profile = tempfile.mkdtemp(prefix="strata-view-fb-chromium-")
o = webdriver.ChromeOptions()
o.binary_location = "/usr/bin/chromium"
for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--window-size=1400,900", f"--user-data-dir={profile}", "--no-first-run",
            "--disable-background-networking", "--disable-component-update",
            "--disable-default-apps", "--disable-sync"):
    o.add_argument(arg)
o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
drv = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
try:
    drv.set_script_timeout(60)
    drv.get("file://" + os.path.abspath(a.page))
    ready = False
    for _ in range(600):
        if drv.execute_script("return window.strataReady === true"):
            ready = True
            break
        time.sleep(0.05)
    ok("loads", ready, "window.strataReady never became true")
    button = drv.find_element(By.CSS_SELECTOR, "nav button[data-tab=screen]")
    if a.none:
        ok("no_screen_tab", not button.is_displayed() and
           drv.execute_script("return window.strataScreen === undefined"),
           "the page offers a Screen tab without a frame buffer")
    else:
        w, h, rgb = read_ppm(a.ppm or a.frames % (sum(1 for _ in iter_frames()) - 1))
        ok("screen_tab", button.is_displayed(), "no Screen tab")
        button.click()
        canvas = drv.find_element(By.ID, "fbc")
        ok("canvas_shown", canvas.is_displayed() and canvas.size["width"] >= w, str(canvas.size))
        got = drv.execute_script(
            "const c = document.getElementById('fbc');"
            "return [c.width, c.height, Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)];")
        ok("size", got[0] == w and got[1] == h, f"canvas {got[0]}x{got[1]}, PPM {w}x{h}")
        px = got[2]
        bad = [i for i in range(w * h) if px[4 * i:4 * i + 3] != list(rgb[3 * i:3 * i + 3])]
        ok("pixels", got[0] == w and got[1] == h and not bad,
           f"{len(bad)} of {w * h} pixels differ from the PPM, first at {bad[:1]}")
        colours = {tuple(px[4 * i:4 * i + 3]) for i in range(0, w * h, 7)}
        ok("drawn", len(colours) > 2, f"only {len(colours)} colours: the frame is blank")
        info = drv.find_element(By.ID, "fbinfo").text
        ok("info", f"{w}\u00d7{h}" in info and os.path.basename(a.ppm or a.frames) in info, info)
        if a.frames:
            files = list(iter_frames())
            screen = drv.execute_script("return window.strataScreen")
            shown = screen["frames"]
            ok("frames_total", screen["total"] == len(files) > 1,
               f"page says {screen['total']} frames, {len(files)} files")
            ok("frames_shown", shown[0] == 0 and shown[-1] == len(files) - 1 and
               len(shown) == min(64, len(files)), str(shown))
            ok("slider", drv.find_element(By.ID, "fbslider").is_displayed(), "no slider")
            # every frame embedded, drawn through the slider, is its own file
            wrong, first = [], None
            for i, n in enumerate(shown):
                drv.execute_script("strataShowFrame(arguments[0])", i)
                px = drv.execute_script(
                    "const c = document.getElementById('fbc');"
                    "return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);")
                _, _, want = read_ppm(files[n])
                rgb_page = bytes(v for k, v in enumerate(px) if k % 4 != 3)
                if rgb_page != want:
                    wrong.append(n)
                first = first or rgb_page
            ok("frames_pixels", not wrong, f"frames {wrong} differ from their files")
            ok("frames_change", first != rgb_page, "the first and the last frame are the same")
            label = drv.find_element(By.ID, "fbframe").text
            ok("frame_label", label.startswith(f"frame {shown[-1]} "), label)
        if a.screenshot:
            drv.save_screenshot(a.screenshot)
    errors = [e for e in drv.get_log("browser") if e.get("level") == "SEVERE"]
    ok("console", not errors, str(errors[:2]))
finally:
    drv.quit()
    shutil.rmtree(profile, ignore_errors=True)
