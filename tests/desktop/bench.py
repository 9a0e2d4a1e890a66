#!/usr/bin/env python3
"""Figures for the desktop app's release build under Xvfb (a benchmark, not a test).

- Launch: from starting the process to its window being mapped on the display, to the window's
  code running and drawing its first screen (it calls the shell's `start` command, which logs
  "the window started"), and to being signed in (--server/--email). Over several launches.
- Idle memory: PSS summed over the app's whole process tree (the app, WebKit's web and network
  processes), after signing in and accepting 10 conversations, then resting; and again three
  minutes later, to show it does not creep.
- Offer → OS notification: from the moment the server's offer frame passes a loopback TCP relay
  between the server and the app, to the Notify call on the session bus (dbus-monitor's clock);
  p50 / p99 over 100 offers, each withdrawn by its customer before the next.

Everything real: the server, the app, dunst, gnome-keyring, D-Bus. The app sets the web
engine's start-up settings itself (src-tauri/src/engine_environment.rs).

Environment: SWITCHBOARD_SERVER, SWITCHBOARD_DESKTOP (release binaries).
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from statistics import median

from session import (
    BusMonitor,
    Customer,
    Processes,
    click_tray_item,
    enabled_tray_item,
    eventually,
    process_tree,
    server_config,
    session_env,
    start_server,
    tray_menu,
)

LAUNCHES = 5
# What the app logs as it starts, in order: the webview loading the window's page, the window's
# code running (it calls the shell's `start`), and the session signed in.
MILESTONES = ("the page started loading", "the page loaded", "the window started", "signed in")
OPEN_CONVERSATIONS = 10
OFFERS = 100
LATER_SECONDS = 180
PASSWORD = "bench-password"
EMAIL = "ann@example.com"

CONFIG = server_config(PASSWORD, offer_seconds=60, capacity=OPEN_CONVERSATIONS + 1)


class OfferRelay:
    """A TCP relay between the app and the server that notes when each watched customer name
    first passes from the server to the app: the offer is the first frame that names them."""

    def __init__(self, server_port):
        self.server_port = server_port
        self.seen = {}
        self.watched = set()
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def watch(self, name):
        with self.lock:
            self.watched.add(name.encode())

    def _accept(self):
        while True:
            app, _ = self.listener.accept()
            server = socket.create_connection(("127.0.0.1", self.server_port))
            for sock in (app, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._pump, args=(app, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, app, True), daemon=True).start()

    def _pump(self, source, sink, to_app):
        tail = b""
        while True:
            try:
                chunk = source.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                for sock in (source, sink):
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                return
            if to_app:
                now = time.time()
                window = tail + chunk
                with self.lock:
                    for name in [n for n in self.watched if n in window]:
                        self.seen[name.decode()] = now
                        self.watched.discard(name)
                # A name split between two reads is still found.
                tail = window[-64:]
            sink.sendall(chunk)


def launch(processes, env, port):
    """Starts the app signed in; returns it and the seconds to each milestone."""
    milestones = {}
    started = time.perf_counter()
    app = processes.start(
        [os.environ["SWITCHBOARD_DESKTOP"], "--server", f"http://127.0.0.1:{port}", "--email", EMAIL],
        env=dict(env, SWITCHBOARD_PASSWORD=PASSWORD, RUST_LOG="info"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )

    def read_log():
        for line in app.stderr:
            for milestone in MILESTONES:
                if milestone in line and milestone not in milestones:
                    milestones[milestone] = time.perf_counter() - started

    threading.Thread(target=read_log, daemon=True).start()
    eventually("the window", lambda: window_viewable(env))
    milestones["window shown"] = time.perf_counter() - started
    eventually("the window's first screen and the sign-in", lambda: len(milestones) == len(MILESTONES) + 1)
    return app, milestones


def window_viewable(env):
    found = subprocess.run(
        ["xwininfo", "-name", "Switchboard"], env=env, capture_output=True, text=True
    )
    return "IsViewable" in found.stdout


def pss_mib(pids):
    """PSS per process (by name) in MiB."""
    sizes = {}
    for pid in pids:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            name = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        kib = next(int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:"))
        sizes[name] = sizes.get(name, 0) + kib / 1024
    return sizes


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[max(0, round(fraction * len(ordered) + 0.5) - 1)]


def main():
    processes = Processes()
    scratch = Path(tempfile.mkdtemp(prefix="switchboard-bench-"))
    try:
        env = session_env(processes, scratch)
        bus = BusMonitor(processes, env)
        port = start_server(processes, scratch, CONFIG)
        relay = OfferRelay(port)

        launches = []
        for _ in range(LAUNCHES):
            app, milestones = launch(processes, env, relay.port)
            launches.append(milestones)
            processes.stop(app)
        app, _ = launch(processes, env, relay.port)

        available = eventually("the tray menu", lambda: enabled_tray_item(env, "Available"))
        click_tray_item(env, available)
        eventually("Available", lambda: tray_menu(env)["Available"]["checked"])
        for index in range(OPEN_CONVERSATIONS):
            name = f"Held customer {index:02d}"
            customer = Customer(processes, port, name, "Hello, my parcel has not arrived.")
            offer = eventually(f"the offer for {name}", lambda: bus.notification(name))
            bus.invoke_action(env, offer, "accept")
            eventually(f"{name} accepted", customer.joined)
            for line in ("It was order 1234.", "It should have come on Monday.", "Thanks!"):
                customer.say(line)
        time.sleep(10)
        samples = []
        for _ in range(3):
            time.sleep(1)
            tree = process_tree(app.pid)
            samples.append(pss_mib(tree))
        pss = median(sum(sample.values()) for sample in samples)
        parts = ", ".join(f"{name} {size:.0f}" for name, size in samples[-1].items())
        # Light all day, not only at first: the same tree after the window's clock has ticked on.
        time.sleep(LATER_SECONDS)
        pss_later = sum(pss_mib(process_tree(app.pid)).values())

        delays = []
        for index in range(OFFERS):
            name = f"Bench customer {index:03d}"
            relay.watch(name)
            customer = Customer(processes, port, name, "Hello")
            offer = eventually(f"the offer for {name}", lambda: bus.notification(name))
            delays.append((offer["time"] - relay.seen[name]) * 1000)
            customer.end()
            eventually(f"{name}'s alert to close", lambda: bus.closed(offer["id"]))
            processes.stop(customer.process)

        def row(what, values, target=""):
            ms = [v * 1000 for v in values]
            print(f"  {what:<44} median {median(ms):6.0f} ms   worst {max(ms):6.0f} ms   {target}")

        print(f"Switchboard desktop, release build, under Xvfb ({LAUNCHES} launches)")
        row("launch → the page starts loading", [m["the page started loading"] for m in launches])
        row("launch → window shown", [m["window shown"] for m in launches])
        row("launch → the page loaded", [m["the page loaded"] for m in launches])
        row("launch → window started (interactive)", [m["the window started"] for m in launches], "target ≤ 1000 ms")
        row("launch → signed in", [m["signed in"] for m in launches])
        print(
            f"  idle PSS, {len(samples[-1])} processes, {OPEN_CONVERSATIONS} open conversations: "
            f"{pss:.0f} MiB ({pss * 1.048576:.0f} MB)   target ≤ 220 MB"
        )
        print(f"    ({parts} MiB); {LATER_SECONDS // 60} minutes later: {pss_later:.0f} MiB")
        print(
            f"  offer sent → Notify on D-Bus, {OFFERS} offers: p50 {percentile(delays, 0.5):.1f} ms, "
            f"p99 {percentile(delays, 0.99):.1f} ms, worst {max(delays):.1f} ms   target p99 ≤ 100 ms"
        )
    finally:
        processes.stop_all()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
