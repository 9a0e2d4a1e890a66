// A real Switchboard server for browser tests, a scripted agent speaking the protocol, and the
// protocol's JSON Schema to check every frame against.

import { spawn } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import Ajv2020 from "ajv/dist/2020.js";

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, "..", "..");
const targetDir = process.env.CARGO_TARGET_DIR ?? join(root, "target");
const serverBinary = process.env.SWITCHBOARD_SERVER ?? join(targetDir, "debug", "switchboard-server");
export const screenshotDir = join(targetDir, "screenshots");
export const PASSWORD = "browser-test-password";
/** The key the test site signs its customers' tokens with (persistent chat). */
export const CUSTOMER_KEY = "browser-test-site-key-of-32-characters";

/** A customer token as a site's back end signs it: HS256, `sub` naming the customer. */
export function customerToken(customer, name, seconds = 3600) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const body = `${part({ alg: "HS256", typ: "JWT" })}.${part({ sub: customer, name, exp: Math.floor(Date.now() / 1000) + seconds })}`;
  const signature = createHmac("sha256", CUSTOMER_KEY).update(body).digest("base64url");
  return `${body}.${signature}`;
}

/** Starts the server binary on a free port over a fresh data directory. */
export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-widget-"));
  writeFileSync(join(dir, "config.toml"), `
wrap_up_reasons = ["Resolved"]
idle_reasons = ["Lunch"]
[server]
listen = "127.0.0.1:0"
data_dir = "data"
demo = true
# Every test client shares one address (loopback).
[limits]
chats_per_address_per_minute = 100000
waiting_per_address = 100000
[[queues]]
id = "general"
name = "General enquiries"
# Its own queue, widget and agent: a test whose offer must reach that agent whatever others left.
[[queues]]
id = "returns"
name = "Returns"
[[widgets]]
id = "returns"
queue = "returns"
[[widgets]]
id = "website"
queue = "general"
proactive = true
survey = true
[widgets.invitation]
message = "Questions about our plans? We are here."
after_seconds = 30
url_contains = "/demo"
[[widgets]]
id = "account"
queue = "general"
mode = "persistent"
customer_key = "${CUSTOMER_KEY}"
[[demo_agents]]
email = "ann@example.com"
name = "Ann"
password = "${PASSWORD}"
queues = ["general"]
[[demo_agents]]
email = "dana@example.com"
name = "Dana"
password = "${PASSWORD}"
queues = ["returns"]
# For a test that needs an agent with room whatever the tests before it left open.
[[demo_agents]]
email = "cleo@example.com"
name = "Cleo"
password = "${PASSWORD}"
queues = ["general"]
`);
  const child = spawn(serverBinary, ["serve", "--config", join(dir, "config.toml")], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, RUST_LOG: "warn" },
  });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`the server exited with ${code}`)));
  });
  const base = line.replace("listening on ", "").trim();
  return { base, stop: () => child.kill("SIGTERM") };
}

const schema = JSON.parse(readFileSync(join(root, "docs", "protocol.schema.json"), "utf8"));
const ajv = new Ajv2020({ strict: false, allErrors: true });
const validators = Object.fromEntries(
  Object.entries(schema.frames).map(([name, frameSchema]) => [name, ajv.compile(frameSchema)]),
);

/** Checks a frame against the protocol schema; returns a description of what is wrong, or null. */
export function schemaProblem(frameType, frame) {
  const validate = validators[frameType];
  if (validate(frame)) return null;
  return `${frameType} ${JSON.stringify(frame).slice(0, 200)}: ${ajv.errorsText(validate.errors)}`;
}

/** An agent desktop, scripted: logs in, connects, sends commands, waits for events. */
export class ScriptedAgent {
  static async signIn(base, email) {
    const response = await fetch(`${base}/api/v1/agent/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    if (response.status !== 200) throw new Error(`login failed: ${response.status}`);
    const { token } = await response.json();
    const agent = new ScriptedAgent(base.replace(/^http/, "ws") + "/api/v1/agent/ws", token);
    await agent.opened;
    return agent;
  }

  constructor(url, token) {
    this.events = [];
    this.waiters = [];
    this.replies = new Map();
    this.problems = [];
    this.nextId = 0;
    this.session = randomUUID();
    this.socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    this.opened = new Promise((resolve) => {
      this.socket.on("open", () => {
        this.send({ type: "hello", protocol: 1 });
        resolve();
      });
    });
    this.socket.on("message", (data) => {
      const frame = JSON.parse(String(data));
      const problem = schemaProblem("AgentServerFrame", frame);
      if (problem) this.problems.push(problem);
      if (frame.type === "event") {
        this.events.push(frame.event);
        this.wake();
      } else if (frame.type === "typing") {
        // Outside the event sequence, but waited for the same way.
        this.events.push(frame);
        this.wake();
      } else if (frame.type === "reply") {
        this.replies.get(frame.id)?.(frame.outcome);
      }
    });
  }

  send(frame) {
    const problem = schemaProblem("AgentClientFrame", frame);
    if (problem) this.problems.push(problem);
    this.socket.send(JSON.stringify(frame));
  }

  command(command) {
    // Unique across sign-ins: the server answers a command id it has seen with its first reply.
    const id = `agent-${this.session}-${this.nextId++}`;
    return new Promise((resolve) => {
      this.replies.set(id, resolve);
      this.send({ type: "command", id, command });
    });
  }

  /** The first event (already received or to come) matching `wanted`, consumed. */
  waitFor(wanted, what = "an event", timeout = 15000) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const index = this.events.findIndex(wanted);
        if (index < 0) return false;
        resolve(this.events.splice(index, 1)[0]);
        return true;
      };
      if (check()) return;
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeout);
      this.waiters.push(() => {
        if (!check()) return false;
        clearTimeout(timer);
        return true;
      });
    });
  }

  wake() {
    this.waiters = this.waiters.filter((waiter) => !waiter());
  }

  close() {
    this.socket.close();
  }
}
