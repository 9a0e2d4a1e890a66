#!/usr/bin/env python3
"""End-to-end test of the real desktop app.

Under Xvfb, on a private D-Bus session with a real notification daemon (dunst) and a real
keyring (gnome-keyring), it starts the real server and the real app (through tauri-driver and
WebKitWebDriver), signs in through the window, has a customer start a chat, checks the OS
notification that reached the daemon (Accept / Reject, masked text), accepts it through D-Bus,
chats, ends with a wrap-up reason, then lets an alert time out and checks RONA in the window and
in the tray's menu. As a supervisor, it watches the live view, monitors another agent's
conversation, whispers to that agent and barges in. Files go both ways: the customer's picture drawn in the thread, a file dropped
on the conversation sent to the customer. Screenshots of the main window (light and dark, and
with files) go to docs/screenshots/.

Environment: SWITCHBOARD_SERVER, SWITCHBOARD_DESKTOP (debug binaries), TAURI_DRIVER.
"""

import functools
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.support.select import Select

import session
from session import (
    PATIENCE,
    ROOT,
    Agent,
    BusMonitor,
    Customer,
    Processes,
    click_tray_item,
    server_config,
    session_env,
    start_server,
    tray_menu,
)

OFFER_SECONDS = 8
PASSWORD = "e2e-password"
CARD = "4111 1111 1111 1111"

CONFIG = server_config(PASSWORD, OFFER_SECONDS)

# A file dropped on the conversation, as the window receives one dragged from the file manager.
DROP_FILE = """
const [name, text] = arguments;
const transfer = new DataTransfer();
transfer.items.add(new File([text], name, { type: 'text/plain' }));
const pane = document.querySelector('main.pane');
for (const type of ['dragover', 'drop']) {
  pane.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
}
"""

# The window's elements come and go as it redraws.
eventually = functools.partial(
    session.eventually, ignoring=(NoSuchElementException, StaleElementReferenceException)
)


def main():
    processes = Processes()
    scratch = Path(tempfile.mkdtemp(prefix="switchboard-e2e-"))
    driver = None
    try:
        env = session_env(processes, scratch)
        bus = BusMonitor(processes, env)
        port = start_server(processes, scratch, CONFIG)
        processes.start(
            [os.environ["TAURI_DRIVER"], "--port", "4444", "--native-port", "4445"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1)
        options = ArgOptions()
        options.set_capability("browserName", "wry")
        options.set_capability(
            "tauri:options", {"application": os.environ["SWITCHBOARD_DESKTOP"]}
        )
        def launch():
            return eventually(
                "tauri-driver",
                lambda: webdriver.Remote(command_executor="http://127.0.0.1:4444", options=options),
            )

        driver = launch()
        find = lambda css: driver.find_element(By.CSS_SELECTOR, css)  # noqa: E731
        # textContent: WebKitWebDriver's rendered text comes back empty for some elements.
        texts = lambda css: [  # noqa: E731
            e.get_property("textContent").strip()
            for e in driver.find_elements(By.CSS_SELECTOR, css)
        ]

        # Sign in through the window; a wrong password is refused in plain words first.
        server = eventually("the sign-in screen", lambda: find("input[name=server]"))
        server.clear()
        server.send_keys(f"http://127.0.0.1:{port}")
        find("input[name=email]").send_keys("ann@example.com")
        find("input[name=password]").send_keys("wrong")
        find("button[type=submit]").click()
        problem = eventually("the sign-in error", lambda: texts(".problem"))
        assert problem == ["The e-mail address or password is not correct."], problem
        find("input[name=password]").clear()
        find("input[name=password]").send_keys(PASSWORD)
        find("button[type=submit]").click()
        presence = eventually("the main window", lambda: find(".topbar select"))
        eventually("the connection", lambda: texts(".connection") == ["Connected"])
        eventually("the tray", lambda: tray_menu(env).get("Available"))

        # The app started the web engine with its settings: no JIT compilers in the web process
        # and, without a GPU, no GL driver loaded in the app's own process.
        app = session.process_running(os.environ["SWITCHBOARD_DESKTOP"])
        web = [
            pid
            for pid in session.process_tree(app)
            if Path(f"/proc/{pid}/comm").read_text().strip() == "WebKitWebProces"
        ]
        assert len(web) == 1, web
        assert session.environment_of(web[0]).get(b"JSC_useJIT") == b"0"
        if not session.has_render_node():
            assert "swrast_dri" not in Path(f"/proc/{app}/maps").read_text()
            assert "swrast_dri" in Path(f"/proc/{web[0]}/maps").read_text()
        Select(presence).select_by_value("available")
        eventually("Available", lambda: find(".topbar select").get_attribute("value") == "available")
        eventually("Available in the tray", lambda: tray_menu(env)["Available"]["checked"])

        # A customer starts a chat: the OS notification reaches the daemon, masked.
        customer = Customer(processes, port, "Zoë Nováková", f"My card is {CARD}, please help")
        alert = eventually("the OS notification", lambda: [n for n in bus.notifications() if n["id"] is not None])[0]
        assert alert["summary"] == "Incoming chat — Zoë Nováková", alert
        assert CARD not in alert["body"] and "please help" in alert["body"], alert
        assert alert["actions"] == ["accept", "Accept", "reject", "Reject"], alert
        assert alert["id"] is not None, alert
        in_app = eventually("the in-app alert", lambda: texts("[role=alertdialog] .comment"))
        assert CARD not in in_app[0], in_app

        # Accept in the notification, through D-Bus, as the daemon does when clicked.
        bus.invoke_action(env, alert, "accept")
        eventually("the conversation", lambda: texts(".pane h1") == ["Zoë Nováková"])
        eventually("the answered alert to close", lambda: bus.closed(alert["id"]))
        selected_tab = texts("aside.side [role=tab][aria-selected=true]")[0]
        assert selected_tab == "Customer summary", selected_tab
        assert "Zoë Nováková" in texts("#side-panel")[0]
        assert not driver.find_elements(By.CSS_SELECTOR, "[role=alertdialog]")
        bubbles = texts(".thread .customer .bubble")
        assert len(bubbles) == 1 and CARD not in bubbles[0], bubbles

        # An internal note first: a card in the thread, never sent to the customer.
        composer = find("#composer-text")
        find("button.note-toggle").click()
        eventually("the note composer", lambda: find("button.note-toggle").get_attribute("aria-pressed") == "true")
        composer.send_keys("Card already refunded once")
        composer.send_keys(Keys.ENTER)
        eventually("the note in the thread", lambda: any("Card already refunded once" in text for text in texts(".thread .note")))
        find("button.note-toggle").click()

        # A template: / lists them, Enter inserts the first with its parameters written in.
        composer.send_keys("/hi")
        eventually("the template list", lambda: texts("[role=listbox] [role=option] .template-name") == ["Greeting"])
        composer.send_keys(Keys.ENTER)
        greeting = "Hello Zoë, Ann Novák here. How can I help?"
        eventually("the template inserted", lambda: composer.get_property("value") == greeting)
        composer.send_keys(Keys.ENTER)
        eventually("the customer to get the greeting", lambda: customer.received(greeting))

        # Chat both ways; the reply reaches the customer, and the note before it did not.
        composer.send_keys("Hello Zoë, I am looking into it.")
        composer.send_keys(Keys.ENTER)
        eventually("the customer to get the reply", lambda: customer.received("Hello Zoë, I am looking into it."))
        assert not customer.received("Card already refunded once"), "a note reached the customer"
        customer.say("Thank you!")
        eventually("the customer's message", lambda: "Thank you!" in texts(".thread .customer .bubble"))

        # Files both ways: the customer's picture is drawn in the thread from the bytes the core
        # fetched; a file dropped on the conversation is uploaded and reaches the customer.
        customer.send_file(ROOT / "icons/128x128.png")
        eventually("the customer's picture", lambda: driver.execute_script(
            "const img = document.querySelector('.thread .customer .picture img');"
            "return img !== null && img.complete && img.naturalWidth === 128;"
        ))
        driver.execute_script(DROP_FILE, "refund.txt", "Order 1234: refunded on 2 December.")
        eventually("the dropped file to upload", lambda: texts(".composer .pending .name") == ["refund.txt"] and not driver.find_elements(By.CSS_SELECTOR, ".composer .pending [aria-busy=true]"))
        find(".composer button.primary").click()
        eventually("the customer to get the file", lambda: customer.received_file("refund.txt"))
        eventually("the file in the agent's thread", lambda: any("refund.txt" in text for text in texts(".thread .mine .bubble")))
        driver.save_screenshot(str(ROOT / "docs/screenshots/files.png"))

        # Screenshots, light and dark, through the Settings dialog.
        shots = ROOT / "docs/screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        for theme in ["light", "dark"]:
            find("button.settings").click()
            selects = eventually("the settings", lambda: driver.find_elements(By.CSS_SELECTOR, "[role=dialog] select"))
            Select(selects[1]).select_by_value(theme)
            driver.find_element(By.CSS_SELECTOR, "[role=dialog] button.primary").click()
            eventually(f"the {theme} theme", lambda: driver.execute_script("return document.documentElement.dataset.theme") == theme)
            time.sleep(0.3)
            driver.save_screenshot(str(shots / f"main-{theme}.png"))

        # End with a wrap-up reason.
        find(".actions button.danger").click()
        reason = eventually("the wrap-up reasons", lambda: driver.find_elements(By.CSS_SELECTOR, "[role=dialog] input[type=radio][value=Resolved]"))
        reason[0].click()
        find("[role=dialog] button.primary").click()
        eventually("the task to go", lambda: not driver.find_elements(By.CSS_SELECTOR, ".tasks .task"))

        # An alert nobody answers: it closes itself, and the agent is in RONA, window and tray.
        Customer(processes, port, "Bo Customer", "Anyone there?")
        # Its id comes with the daemon's reply, which the monitor may print a moment later.
        second = eventually("the second notification", lambda: [n for n in bus.notifications() if "Bo Customer" in n["summary"] and n["id"] is not None])[0]
        eventually("RONA in the window", lambda: find(".topbar select").get_attribute("value") == "rona", patience=OFFER_SECONDS + PATIENCE)
        eventually("the alert to close itself", lambda: bus.closed(second["id"]))
        menu = eventually("RONA in the tray", lambda: (m := tray_menu(env)).get("Not answering (RONA)") and m)
        assert not menu["Available"]["checked"], menu
        assert not driver.find_elements(By.CSS_SELECTOR, "[role=alertdialog]")

        # Leaving RONA is a manual choice: from the tray's menu.
        click_tray_item(env, menu["Available"])
        eventually("Available again", lambda: find(".topbar select").get_attribute("value") == "available")
        eventually("Available in the tray again", lambda: tray_menu(env)["Available"]["checked"])

        # Started again, the app resumes the session remembered in the keyring: no sign-in form.
        driver.quit()
        driver = None
        driver = launch()
        eventually("the main window after a restart", lambda: find(".topbar select"))
        eventually("the connection after a restart", lambda: texts(".connection") == ["Connected"])
        assert texts(".topbar .agent") == ["Ann Novák Supervisor"], texts(".topbar .agent")
        assert not driver.find_elements(By.CSS_SELECTOR, "input[name=password]")

        # Ann is a supervisor: her reports count the day so far — Zoë's chat offered, accepted
        # and ended, Bo Customer's offered and left to RONA — drawn as a chart and a table.
        reports = eventually("the Reports button", lambda: driver.find_element(By.XPATH, "//header//button[normalize-space()='Reports']"))
        reports.click()
        eventually("the chart", lambda: find("[role=dialog] canvas"))
        total = eventually("the total", lambda: [c.get_property("textContent").strip() for c in driver.find_elements(By.CSS_SELECTOR, "[role=dialog] tr.total > *")])
        offered, accepted, rona = int(total[1]), int(total[2]), int(total[4])
        assert offered >= 2 and accepted >= 1 and rona >= 1, total
        time.sleep(0.3)
        driver.save_screenshot(str(shots / "reports.png"))
        find("[role=dialog] button.primary").click()

        # As a supervisor, live: Ann goes to lunch, Bo (an agent without a window) takes Karel's
        # chat, and the Supervisor tab shows it as it happens.
        Select(find(".topbar select")).select_by_value("idle:Lunch")
        eventually("Ann at lunch", lambda: find(".topbar select").get_attribute("value") == "idle:Lunch")
        bo = Agent(processes, port, "bo@example.com", PASSWORD)
        karel = Customer(processes, port, "Karel Svoboda", "My parcel never came")
        held = eventually("Bo to take Karel's chat", lambda: bo.holding("Karel Svoboda"))[0]
        driver.find_element(By.XPATH, "//header//*[@role='tab'][normalize-space()='Supervisor']").click()
        karel_row = "//section[@aria-labelledby='live-conversations']//tr[th[contains(., 'Karel Svoboda')]]"
        eventually("Karel's chat with Bo in the live view", lambda: "With Bo Berg" in driver.find_element(By.XPATH, karel_row).get_property("textContent"))
        # Bo also took the chat Ann let ring out before.
        eventually("Bo's row", lambda: "2 / 3" in driver.find_element(By.XPATH, "//section[@aria-labelledby='live-agents']//tr[th[contains(., 'Bo Berg')]]").get_property("textContent"))
        eventually("the sparklines", lambda: len(driver.find_elements(By.CSS_SELECTOR, ".sparkline canvas")) >= 3)
        time.sleep(0.3)
        driver.save_screenshot(str(shots / "supervisor.png"))

        # Monitoring: the conversation on Ann's desk, read-only, live and masked.
        driver.find_element(By.XPATH, karel_row + "//button[normalize-space()='Monitor']").click()
        eventually("the monitored conversation", lambda: texts(".pane h1") == ["Karel Svoboda"])
        eventually("the Monitoring state", lambda: "Monitoring" in texts(".pane header")[0])
        karel.say(f"My card is {CARD}")
        eventually("Karel's message, live", lambda: any("My card is" in text for text in texts(".thread .customer .bubble")))
        assert not any(CARD in text for text in texts(".thread .bubble")), "masked like everything else"

        # Whispering: a note Bo gets and Karel never does.
        composer = find("#composer-text")
        assert composer.get_attribute("placeholder") == "Whisper to the agents: the customer never sees it."
        composer.send_keys("Offer him a refund")
        composer.send_keys(Keys.ENTER)
        eventually("Bo to get the whisper", lambda: bo.received("Offer him a refund", "note"))
        bo.say(held, "We will refund you today")
        eventually("Karel to get Bo's answer", lambda: karel.received("We will refund you today"))
        assert not karel.received("Offer him a refund"), "a whisper reached the customer"
        eventually("Bo's answer on Ann's desk", lambda: any("We will refund you today" in text for text in texts(".thread .bubble")))
        time.sleep(0.3)
        driver.save_screenshot(str(shots / "monitoring.png"))

        # Barging in: Karel is told a supervisor joined, and hears from Ann; then she leaves.
        driver.find_element(By.XPATH, "//*[@role='toolbar']//button[normalize-space()='Barge in']").click()
        eventually("Karel told a supervisor joined", lambda: karel.joined_as("Ann Novák (supervisor)"))
        eventually("the conference", lambda: "Conference" in texts(".pane header")[0])
        composer = find("#composer-text")
        composer.send_keys("Ann here, the supervisor: it is sorted.")
        composer.send_keys(Keys.ENTER)
        eventually("Karel to hear from Ann", lambda: karel.received("Ann here, the supervisor: it is sorted."))
        eventually("Bo to see Ann's message", lambda: bo.received("Ann here, the supervisor: it is sorted.", "agent"))
        driver.find_element(By.XPATH, "//*[@role='toolbar']//button[normalize-space()='Exit conference']").click()
        reason = eventually("the wrap-up reasons", lambda: driver.find_elements(By.CSS_SELECTOR, "[role=dialog] input[type=radio][value=Resolved]"))
        reason[0].click()
        find("[role=dialog] button.primary").click()
        eventually("the conversation to leave Ann's desk", lambda: not driver.find_elements(By.CSS_SELECTOR, ".tasks .task"))
        print("desktop end-to-end: passed")
    except BaseException:
        if driver is not None:
            # What the window showed when it failed, for whoever reads the log; a driver that no
            # longer answers must not hold the failure up.
            shot = scratch.parent / "switchboard-e2e-failure.png"
            saver = threading.Thread(target=driver.save_screenshot, args=(str(shot),), daemon=True)
            saver.start()
            saver.join(15)
            print(f"screenshot: {shot}", file=sys.stderr)
        raise
    finally:
        if driver is not None:
            driver.quit()
        processes.stop_all()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
