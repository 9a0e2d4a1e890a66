#!/usr/bin/env python3
"""End-to-end test of the real desktop app.

Under Xvfb, on a private D-Bus session with a real notification daemon (dunst) and a real
keyring (gnome-keyring), it starts the real server and the real app (through tauri-driver and
WebKitWebDriver), signs in through the window, has a customer start a chat, checks the OS
notification that reached the daemon (Accept / Reject, masked text), accepts it through D-Bus,
chats, ends with a wrap-up reason, then lets an alert time out and checks RONA in the window and
in the tray's menu. Screenshots of the main window (light and dark) go to docs/screenshots/.

Environment: SWITCHBOARD_SERVER, SWITCHBOARD_DESKTOP (debug binaries), TAURI_DRIVER.
"""

import json
import os
import re
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
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
PATIENCE = 20
OFFER_SECONDS = 8
PASSWORD = "e2e-password"
CARD = "4111 1111 1111 1111"
TRAY_MENU = "/org/ayatana/NotificationItem/tray_icon_tray_app_main/Menu"

CONFIG = f"""
wrap_up_reasons = ["Resolved", "Follow-up needed"]
idle_reasons = ["Lunch", "Meeting"]
[server]
listen = "127.0.0.1:0"
data_dir = "data"
[[queues]]
id = "general"
name = "General enquiries"
[workstreams.chat]
offer_timeout_seconds = {OFFER_SECONDS}
[desktop]
masking = true
theme = "dark"
[[widgets]]
id = "website"
queue = "general"
[[demo_agents]]
email = "ann@example.com"
name = "Ann Novák"
password = "{PASSWORD}"
queues = ["general"]
"""


class Processes:
    """Child processes, stopped in reverse order at the end whatever happens."""

    def __init__(self):
        self.children = []

    def start(self, args, **kwargs):
        child = subprocess.Popen(args, **kwargs)
        self.children.append(child)
        return child

    def stop_all(self):
        for child in reversed(self.children):
            if child.poll() is None:
                child.terminate()
                try:
                    child.wait(5)
                except subprocess.TimeoutExpired:
                    child.kill()


def eventually(what, check, patience=PATIENCE):
    deadline = time.time() + patience
    while True:
        try:
            value = check()
        except (NoSuchElementException, StaleElementReferenceException):
            value = None
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


class BusMonitor:
    """Everything said on the session bus, from dbus-monitor, as message blocks."""

    def __init__(self, processes, env):
        self.blocks = []
        self.lock = threading.Lock()
        monitor = processes.start(
            ["dbus-monitor", "--session"], env=env, stdout=subprocess.PIPE, text=True
        )
        threading.Thread(target=self._read, args=(monitor.stdout,), daemon=True).start()

    def _read(self, stream):
        block = []
        for line in stream:
            # A string argument may span lines: only a message header starts a new block.
            if re.match(r"(method call|method return|signal|error) ", line) and block:
                with self.lock:
                    self.blocks.append("".join(block))
                block = []
            block.append(line)

    def notifications(self):
        """Each Notify call with the id the daemon answered: summary, body, actions, id."""
        with self.lock:
            blocks = list(self.blocks)
        found = []
        for block in blocks:
            header = block.split("\n", 1)[0]
            if "member=Notify" not in header or not header.startswith("method call"):
                continue
            serial = re.search(r" serial=(\d+)", header).group(1)
            sender = re.search(r"sender=(\S+)", header).group(1)
            strings = re.findall(r'string "((?:[^"\\]|\\.)*)"', block, re.S)
            app, icon, summary, body = strings[:4]
            first_array = re.search(r"array \[(.*?)\n\s*\]", block, re.S)
            actions = re.findall(r'string "([^"]*)"', first_array.group(1)) if first_array else []
            reply = next(
                (
                    b
                    for b in blocks
                    if b.startswith("method return")
                    and f"destination={sender} " in b
                    and f"reply_serial={serial}\n" in b
                ),
                None,
            )
            ident = int(re.search(r"uint32 (\d+)", reply).group(1)) if reply else None
            found.append(
                {"summary": summary, "body": body, "actions": actions, "id": ident}
            )
        return found

    def closed(self, ident):
        with self.lock:
            return any(
                "member=CloseNotification" in b.split("\n", 1)[0] and f"uint32 {ident}\n" in b
                for b in self.blocks
            )


class Customer:
    def __init__(self, processes, port, name, message):
        self.frames = []
        self.process = processes.start(
            [
                "node",
                str(ROOT / "tests/desktop/customer.mjs"),
                f"ws://127.0.0.1:{port}/api/v1/customer/ws",
                name,
                message,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.frames.append(json.loads(line))

    def say(self, text):
        self.process.stdin.write(f"say {text}\n")
        self.process.stdin.flush()

    def received(self, text):
        return any(
            f.get("type") == "event"
            and f["event"].get("type") == "message"
            and f["event"]["message"]["text"] == text
            for f in self.frames
        )


def session_env(processes, scratch):
    """A display, a private session bus, a notification daemon and an unlocked keyring."""
    xvfb = processes.start(
        ["Xvfb", "-displayfd", "1", "-screen", "0", "1400x900x24", "-nolisten", "tcp"],
        stdout=subprocess.PIPE,
        text=True,
    )
    display = xvfb.stdout.readline().strip()
    runtime = scratch / "runtime"
    runtime.mkdir(mode=0o700)
    home = scratch / "home"
    home.mkdir()
    env = dict(
        os.environ,
        DISPLAY=f":{display}",
        HOME=str(home),
        XDG_RUNTIME_DIR=str(runtime),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"),
        WEBKIT_DISABLE_DMABUF_RENDERER="1",
        NO_AT_BRIDGE="1",
    )
    bus = processes.start(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    env["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().strip()
    keyring = subprocess.run(
        ["gnome-keyring-daemon", "--unlock", "--components=secrets"],
        input="e2e",
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    for line in keyring.stdout.splitlines():
        name, _, value = line.partition("=")
        if name == "GNOME_KEYRING_CONTROL":
            env[name] = value
    processes.start(["dunst"], env=env, stderr=subprocess.DEVNULL)
    eventually(
        "the notification daemon",
        lambda: "org.freedesktop.Notifications" in bus_names(env),
    )
    return env


def bus_names(env):
    return subprocess.run(
        ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/",
         "org.freedesktop.DBus.ListNames"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout


def start_server(processes, scratch):
    config = scratch / "switchboard.toml"
    config.write_text(CONFIG)
    server = processes.start(
        [os.environ["SWITCHBOARD_SERVER"], "serve", "--config", str(config)],
        cwd=scratch,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = server.stdout.readline()
    match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
    assert match, f"the server did not start: {line!r}"
    return int(match.group(1))


TRAY_OWNER = []


def tray_menu(env):
    """The tray menu's items as the app exports them (com.canonical.dbusmenu): label → props."""
    # Connections that do not answer (the bus monitor) would each cost a timeout: the owner of
    # the menu, once found, is asked first.
    names = TRAY_OWNER + re.findall(r'string "(:1\.\d+)"', bus_names(env))
    for name in names:
        layout = subprocess.run(
            ["gdbus", "call", "--session", "--timeout", "2", "--dest", name,
             "--object-path", TRAY_MENU,
             "--method", "com.canonical.dbusmenu.GetLayout", "--", "0", "-1", "[]"],
            env=env, capture_output=True, text=True,
        )
        if layout.returncode == 0:
            TRAY_OWNER[:] = [name]
            items = {}
            for ident, props in re.findall(r"<\((\d+), \{([^}]*)\}", layout.stdout):
                label = re.search(r"'label': <'([^']*)'>", props)
                if label:
                    state = re.search(r"'toggle-state': <(-?\d+)>", props)
                    enabled = "'enabled': <false>" not in props
                    items[label.group(1)] = {
                        "id": int(ident),
                        "checked": state is not None and state.group(1) == "1",
                        "enabled": enabled,
                        "bus": name,
                    }
            return items
    return {}


def click_tray_item(env, item):
    subprocess.run(
        ["gdbus", "call", "--session", "--dest", item["bus"], "--object-path", TRAY_MENU,
         "--method", "com.canonical.dbusmenu.Event", "--", str(item["id"]), "clicked",
         "<int32 0>", "0"],
        env=env, check=True, capture_output=True,
    )


def main():
    processes = Processes()
    scratch = Path(tempfile.mkdtemp(prefix="switchboard-e2e-"))
    driver = None
    try:
        env = session_env(processes, scratch)
        bus = BusMonitor(processes, env)
        port = start_server(processes, scratch)
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
        driver = eventually(
            "tauri-driver",
            lambda: webdriver.Remote(command_executor="http://127.0.0.1:4444", options=options),
        )
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
        subprocess.run(
            ["dbus-send", "--session", "--type=signal", "/org/freedesktop/Notifications",
             "org.freedesktop.Notifications.ActionInvoked", f"uint32:{alert['id']}",
             "string:accept"],
            env=env, check=True,
        )
        eventually("the conversation", lambda: texts(".pane h1") == ["Zoë Nováková"])
        selected_tab = texts("[role=tab][aria-selected=true]")[0]
        assert selected_tab == "Customer summary", selected_tab
        assert "Zoë Nováková" in texts("#side-panel")[0]
        assert not driver.find_elements(By.CSS_SELECTOR, "[role=alertdialog]")
        bubbles = texts(".thread .customer .bubble")
        assert len(bubbles) == 1 and CARD not in bubbles[0], bubbles

        # Chat both ways.
        composer = find("#composer-text")
        composer.send_keys("Hello Zoë, I am looking into it.")
        composer.send_keys(Keys.ENTER)
        eventually("the customer to get the reply", lambda: customer.received("Hello Zoë, I am looking into it."))
        customer.say("Thank you!")
        eventually("the customer's message", lambda: "Thank you!" in texts(".thread .customer .bubble"))

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
