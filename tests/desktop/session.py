"""A desktop session for the real app, shared by the end-to-end test and the benchmark.

Xvfb, a private D-Bus session bus with a real notification daemon (dunst) and an unlocked
keyring (gnome-keyring), the real server on loopback, customers speaking the widget's protocol,
a monitor of everything said on the bus, and the tray's exported menu.
"""

import json
import os
import re
import subprocess
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PATIENCE = 20
TRAY_MENU = "/org/ayatana/NotificationItem/tray_icon_tray_app_main/Menu"


class Processes:
    """Child processes, stopped in reverse order at the end whatever happens."""

    def __init__(self):
        self.children = []

    def start(self, args, **kwargs):
        child = subprocess.Popen(args, **kwargs)
        self.children.append(child)
        return child

    def stop(self, child):
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(5)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def stop_all(self):
        for child in reversed(self.children):
            self.stop(child)


def eventually(what, check, patience=PATIENCE, ignoring=()):
    """`check()`'s first truthy value, polled until `patience` seconds have passed."""
    deadline = time.time() + patience
    while True:
        try:
            value = check()
        except ignoring:
            value = None
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


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
        """Each Notify call: summary, body, actions, the bus's time of the call (seconds since
        the epoch) and the id the daemon answered (None until its reply is seen)."""
        with self.lock:
            blocks = list(self.blocks)
        found = []
        for block in blocks:
            header = block.split("\n", 1)[0]
            if "member=Notify" not in header or not header.startswith("method call"):
                continue
            serial = re.search(r" serial=(\d+)", header).group(1)
            sender = re.search(r"sender=(\S+)", header).group(1)
            sent = float(re.search(r" time=(\d+\.\d+)", header).group(1))
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
                {
                    "summary": summary,
                    "body": body,
                    "actions": actions,
                    "time": sent,
                    "id": ident,
                    "sender": sender,
                }
            )
        return found

    def notification(self, words):
        """The answered notification whose summary contains `words`, if there is one yet."""
        return next(
            (n for n in self.notifications() if words in n["summary"] and n["id"] is not None),
            None,
        )

    def listens_for_actions(self, notification):
        """Whether the connection that showed `notification` has asked for action signals (each
        notification gets its own connection, which subscribes just after showing it)."""
        with self.lock:
            return any(
                "member=AddMatch" in b.split("\n", 1)[0]
                and f"sender={notification['sender']} " in b
                and "member='ActionInvoked'" in b
                for b in self.blocks
            )

    def invoke_action(self, env, notification, action):
        """What the daemon says when the agent clicks one of `notification`'s actions. A person
        cannot click before the app listens; a script could, so it waits for that first."""
        eventually("the app to listen for actions", lambda: self.listens_for_actions(notification))
        subprocess.run(
            ["dbus-send", "--session", "--type=signal", "/org/freedesktop/Notifications",
             "org.freedesktop.Notifications.ActionInvoked", f"uint32:{notification['id']}",
             f"string:{action}"],
            env=env, check=True,
        )

    def closed(self, ident):
        with self.lock:
            return any(
                "member=CloseNotification" in b.split("\n", 1)[0] and f"uint32 {ident}\n" in b
                for b in self.blocks
            )




class Scripted:
    """A client script (`tests/desktop/<script>`) driven line by line on its stdin, with every
    frame the server sent it (one JSON line each on its stdout)."""

    def __init__(self, processes, script, *args):
        self.frames = []
        self.process = processes.start(
            ["node", str(ROOT / "tests/desktop" / script), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.frames.append(json.loads(line))

    def _send(self, line):
        self.process.stdin.write(f"{line}\n")
        self.process.stdin.flush()


class Agent(Scripted):
    """An agent without a window (agent.mjs): Available, accepting every offer."""

    def __init__(self, processes, port, email, password):
        super().__init__(processes, "agent.mjs", f"http://127.0.0.1:{port}", email, password)

    def _events(self, kind):
        return [
            f["event"]
            for f in list(self.frames)
            if f.get("type") == "event" and f["event"].get("type") == kind
        ]

    def holding(self, customer):
        """The conversations with `customer` this agent accepted."""
        return [
            e["conversation"]["id"]
            for e in self._events("snapshot")
            if e["conversation"]["customer"]["name"] == customer
        ]

    def received(self, text, kind):
        """Whether a message of `kind` (customer, agent, note…) with `text` reached this agent."""
        return any(
            e["message"]["text"] == text and e["message"]["from"]["kind"] == kind
            for e in self._events("message")
        )

    def say(self, conversation, text):
        self._send(f"say {conversation} {text}")


class Customer(Scripted):
    """A customer on the widget's protocol (customer.mjs)."""

    def __init__(self, processes, port, name, message):
        ws = f"ws://127.0.0.1:{port}/api/v1/customer/ws"
        super().__init__(processes, "customer.mjs", ws, name, message)

    def say(self, text):
        self._send(f"say {text}")

    def send_file(self, path):
        self._send(f"send-file {path}")

    def end(self):
        self._send("end")

    def received_file(self, name):
        """Whether a message from the contact center carried a stored file called `name`."""
        return any(
            f.get("type") == "event"
            and f["event"].get("type") == "message"
            and f["event"]["message"]["from"]["kind"] != "customer"
            and any(
                (a.get("file") or {}).get("name") == name
                for a in f["event"]["message"].get("attachments", [])
            )
            for f in self.frames
        )

    def joined_as(self, name):
        """Whether someone joined the chat under `name`."""
        return any(
            f.get("type") == "event"
            and f["event"].get("type") == "agent_joined"
            and f["event"]["name"] == name
            for f in self.frames
        )

    def joined(self):
        """Whether an agent has taken the chat."""
        return any(
            f.get("type") == "event" and f["event"].get("type") == "agent_joined"
            for f in self.frames
        )

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
        input="session",
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


def server_config(password, offer_seconds, capacity=3, theme="dark"):
    """A server with one queue and widget, Ann Novák (ann@example.com, a supervisor) and Bo Berg
    (bo@example.com, an agent)."""
    return f"""
wrap_up_reasons = ["Resolved", "Follow-up needed"]
idle_reasons = ["Lunch", "Meeting"]
[server]
listen = "127.0.0.1:0"
data_dir = "data"
# Every test client shares one address (loopback).
[limits]
chats_per_address_per_minute = 100000
waiting_per_address = 100000
[[queues]]
id = "general"
name = "General enquiries"
[workstreams.chat]
offer_timeout_seconds = {offer_seconds}
[agents]
default_capacity = {capacity}
[desktop]
masking = true
theme = "{theme}"
[[widgets]]
id = "website"
queue = "general"
[[templates]]
name = "Greeting"
shortcut = "hi"
text = "Hello <customer.first_name>, <agent.name> here. How can I help?"
[[demo_agents]]
email = "ann@example.com"
name = "Ann Novák"
password = "{password}"
queues = ["general"]
# A supervisor, who also takes chats: the window offers her the reports and the live view.
role = "supervisor"
[[demo_agents]]
email = "bo@example.com"
name = "Bo Berg"
password = "{password}"
queues = ["general"]
"""


def start_server(processes, scratch, config):
    """The server binary (SWITCHBOARD_SERVER) on a free port with `config`; returns the port."""
    path = scratch / "switchboard.toml"
    path.write_text(config)
    server = processes.start(
        [os.environ["SWITCHBOARD_SERVER"], "serve", "--config", str(path)],
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
    TRAY_OWNER.clear()
    return {}


def enabled_tray_item(env, label):
    """The tray menu's item `label` once it can be clicked (the menu is rebuilt, with new ids,
    when the app signs in)."""
    item = tray_menu(env).get(label)
    return item if item and item["enabled"] else None


def click_tray_item(env, item):
    subprocess.run(
        ["gdbus", "call", "--session", "--dest", item["bus"], "--object-path", TRAY_MENU,
         "--method", "com.canonical.dbusmenu.Event", "--", str(item["id"]), "clicked",
         "<int32 0>", "0"],
        env=env, check=True, capture_output=True,
    )


def process_tree(root):
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    tree = [root]
    for pid in tree:
        tree.extend(child for child, parent in parents.items() if parent == pid)
    return tree


def process_running(program):
    """The id of the process running `program` (a path), if there is one."""
    program = os.path.realpath(program)
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and os.readlink(entry / "exe") == program:
                return int(entry.name)
        except OSError:
            continue
    return None


def environment_of(pid):
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(item.split(b"=", 1) for item in raw.split(b"\0") if b"=" in item)


def has_render_node():
    """Whether the machine has a GPU render node, as the app checks."""
    return os.path.isdir("/dev/dri") and any(n.startswith("renderD") for n in os.listdir("/dev/dri"))
