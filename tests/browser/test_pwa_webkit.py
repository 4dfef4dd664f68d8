"""The participant journey in WebKit, the engine of every iPhone browser: Debian's WebKitGTK
driven by Selenium on a virtual display, 360 px wide, with the server gone for the whole form."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live import ROOT, LiveServer, admin_token, seed, stored_ids

pytestmark = pytest.mark.browser

DRIVER = "/usr/bin/WebKitWebDriver"
# The driver's default browser; full screen drops its toolbar, which holds the window to
# 447 px at least, so that the page can be given a phone's width.
MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"
TIMEOUT = 10


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    """A virtual X display of Xvfb's choosing, for this module."""
    if not shutil.which("Xvfb") or not Path(DRIVER).exists():
        pytest.fail(
            "WebKit tests need the xvfb and webkit2gtk-driver packages: `make test` installs them"
        )
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
        pass_fds=[write], stderr=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    try:
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        xvfb.terminate()
        xvfb.wait(10)


@pytest.fixture
def webkit(display: str) -> Iterator[Any]:
    """WebKitGTK at 360 x 740 with a fresh profile (its own IndexedDB and service worker)."""
    from selenium import webdriver
    from selenium.webdriver.remote.client_config import ClientConfig
    from selenium.webdriver.remote.remote_connection import RemoteConnection

    options = webdriver.WebKitGTKOptions()
    options.binary_location = MINIBROWSER
    options.add_argument("--automation")
    options.add_argument("--full-screen")
    service = webdriver.WebKitGTKService(
        executable_path=DRIVER, env={**os.environ, "DISPLAY": display}
    )
    service.start()
    try:
        # Selenium's webdriver.WebKitGTK() passes an argument it itself deprecates (a warning,
        # so an error here): the same session, opened on a connection made from a ClientConfig.
        connection = RemoteConnection(client_config=ClientConfig(service.service_url))
        driver = webdriver.Remote(command_executor=connection, options=options)
        try:
            driver.set_window_size(360, 740)
            yield driver
        finally:
            driver.quit()
    finally:
        service.stop()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[LiveServer, dict[str, Any]]]:
    """A server of this test's own, which the test stops and starts again, serving a copy of
    the app the test can change: the server and the training."""
    db = tmp_path / "tadrib.db"
    token = admin_token(db)
    shutil.copytree(ROOT / "pwa", tmp_path / "pwa")
    with LiveServer(db, env={"TADRIB_PWA_DIR": str(tmp_path / "pwa")}) as live:
        yield live, seed(live.url, token, "webkit-journey")


def wait(driver: Any, css: str, what: str = "") -> Any:
    """The first element matching `css` once it is displayed."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        for el in driver.find_elements("css selector", css):
            if el.is_displayed():
                return el
        time.sleep(0.05)
    main = driver.find_element("css selector", "main").text
    raise AssertionError(f"{what or css} never showed; the page says:\n{main}")


def click(driver: Any, css: str, what: str = "") -> None:
    """Clicks `css` once displayed; found again if the view is redrawn in between (the
    outbox panel redraws itself when a send is tried)."""
    from selenium.common.exceptions import StaleElementReferenceException

    for _ in range(3):
        try:
            wait(driver, css, what).click()
            return
        except StaleElementReferenceException:
            continue
    raise AssertionError(f"{what or css} kept being redrawn")


def answer(driver: Any) -> None:
    """Gives the first possible answer on the current screen and moves on."""
    form = wait(driver, "form.question")
    pos = form.get_attribute("data-pos")
    inputs = form.find_elements("css selector", "input[type=radio], input[type=checkbox]")
    if inputs and not form.find_elements("css selector", "input:checked"):
        inputs[0].click()
    for box in form.find_elements("css selector", "textarea, input[inputmode=decimal]"):
        box.send_keys("27")
    form.find_element("css selector", "button[type=submit]").click()
    wait(driver, f"form.question:not([data-pos='{pos}']), #finish", f"the screen after {pos}")


def answer_until_review(driver: Any) -> None:
    for _ in range(60):
        if driver.find_elements("css selector", "#finish"):
            return
        answer(driver)
    raise AssertionError("the review never came")


def send_when_back(driver: Any, live: LiveServer) -> None:
    """Starts the server again (same port, same database) and taps "Send now"."""
    live.start()
    click(driver, "#send")
    deadline = time.monotonic() + TIMEOUT
    while driver.find_element("id", "queue").text != "Everything is sent.":
        assert time.monotonic() < deadline, driver.find_element("css selector", "main").text
        time.sleep(0.1)


CACHES = "const done = arguments[0]; caches.keys().then(done)"


def test_webkit_journey_with_no_server_and_an_update_is_stored_once(
    webkit: Any, server: tuple[LiveServer, dict[str, Any]]
) -> None:
    live, training = server
    webkit.get(f"{live.url}/t/{training['join_code']}")
    wait(webkit, "#ready[data-state=yes]", "ready offline")  # no tap yet
    assert webkit.execute_script("return innerWidth") == 360

    live.stop()  # WebKitGTK's driver has no offline switch: no server at all
    click(webkit, ".langs button[lang=en]")
    click(webkit, "input[name=institution][value=gendarmerie]")
    webkit.find_element("css selector", "input[name=sex][value=female]").click()
    for field, value in (("mother", "Karima"), ("day", "7"), ("place", "Rabat")):
        webkit.find_element("id", field).send_keys(value)
    webkit.find_element("css selector", "form button[type=submit]").click()
    click(webkit, "a[href='#q/pre']")
    for pos in ("0", "1"):
        wait(webkit, f"form.question[data-pos='{pos}'] input").click()
        webkit.find_element("css selector", "form.question button[type=submit]").click()
    wait(webkit, "form.question[data-pos='2']")

    webkit.refresh()  # mid-form, still no server: the shell from the worker, the draft kept
    wait(webkit, "form.question[data-pos='2']", "the form after a reload")
    answer_until_review(webkit)
    click(webkit, "#finish")
    assert wait(webkit, "#queue").text == "Waiting to send: 1"
    assert stored_ids(live.db) == []

    send_when_back(webkit, live)
    assert len(stored_ids(live.db)) == 1

    # A new release while a draft is open: the phone updates, then finishes the draft with
    # no server, as an iPhone must not be left with a training that no longer opens offline.
    click(webkit, "a[href='#q/evaluation']")
    answer(webkit)
    [old] = webkit.execute_async_script(CACHES)
    with open(live.env["TADRIB_PWA_DIR"] + "/js/send.js", "a", encoding="utf-8") as js:
        js.write("// a new release\n")
    webkit.execute_async_script(
        "const done = arguments[0];"
        " navigator.serviceWorker.getRegistration().then((r) => r.update()).then(done, done)"
    )
    click(webkit, "#b-update button")
    deadline = time.monotonic() + TIMEOUT
    while webkit.execute_async_script(CACHES) in ([old], []):
        assert time.monotonic() < deadline, "the new version never replaced the old one"
        time.sleep(0.1)
    live.stop()
    webkit.refresh()
    wait(webkit, "form.question[data-pos='1']", "the draft under the new version")
    answer_until_review(webkit)
    click(webkit, "#finish")
    assert wait(webkit, "#queue").text == "Waiting to send: 1"
    send_when_back(webkit, live)
    assert len(stored_ids(live.db)) == 2
