// A customer in Chromium on a server's demo page, driven line by line from another program's
// test (the desk core's, in Rust):
//   node browser-customer.mjs <base URL> <name> <first message>
// opens the page and starts a chat, then prints `ready`. On stdin: `see <text>` waits until the
// text shows in the widget and prints `seen <text>`; `say <text>` sends a message and prints
// `said <text>`; `screenshot <path>` saves the page and prints `saved`. Anything that fails
// prints `failed <why>` and exits non-zero.

import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const [base, name, message] = process.argv.slice(2);
const patience = 30_000;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const fail = async (why) => {
  process.stdout.write(`failed ${why}\n`);
  await browser.close();
  process.exit(1);
};
process.on("unhandledRejection", (error) => fail(String(error).replaceAll("\n", " ")));

const page = await browser.newPage({ viewport: { width: 1100, height: 720 } });
page.on("pageerror", (error) => fail(`page error: ${error.message}`));
await page.goto(`${base}/demo`);
await page.getByRole("button", { name: "Chat with us" }).click();
await page.getByLabel("Your name").fill(name);
await page.getByLabel("How can we help?").fill(message);
await page.getByRole("button", { name: "Start chat" }).click();
process.stdout.write("ready\n");

const composer = page.getByPlaceholder("Write a message…");
for await (const line of createInterface({ input: process.stdin })) {
  const [verb, ...rest] = line.split(" ");
  const text = rest.join(" ");
  if (verb === "see") {
    await page.getByText(text).waitFor({ timeout: patience });
    process.stdout.write(`seen ${text}\n`);
  } else if (verb === "say") {
    // The composer takes input once the widget is connected again.
    await composer.fill(text, { timeout: patience });
    await composer.press("Enter");
    process.stdout.write(`said ${text}\n`);
  } else if (verb === "screenshot") {
    await page.screenshot({ path: text });
    process.stdout.write("saved\n");
  }
}
await browser.close();
