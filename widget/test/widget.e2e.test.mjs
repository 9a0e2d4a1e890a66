// The chat widget in headless Chromium against a running server, with a scripted agent.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startServer, ScriptedAgent, customerToken, schemaProblem, screenshotDir, root } from "./harness.mjs";

let server;
let browser;

before(async () => {
  mkdirSync(screenshotDir, { recursive: true });
  server = await startServer();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
});

after(async () => {
  await browser?.close();
  server?.stop();
});

/** A page whose WebSocket frames are all checked against the protocol schema. */
async function openDemo(options = {}) {
  const { page, context, problems } = await checkedPage(options);
  await page.goto(`${server.base}/demo`);
  return { page, context, problems };
}

/** A plain page of a site (served from loopback) embedding widget `widget`. */
async function openWidgetPage(widget) {
  const site = createServer((_, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(`<!doctype html><html lang="en"><title>Returns</title><h1>Returns</h1>
      <script src="${server.base}/widget.js" data-widget="${widget}"></script>`);
  });
  await new Promise((resolve) => site.listen(0, "127.0.0.1", resolve));
  const { page, context, problems } = await checkedPage();
  context.on("close", () => site.close());
  await page.goto(`http://127.0.0.1:${site.address().port}/returns`);
  return { page, context, problems };
}

/** A site's own account page (served from loopback, as a site would be) embedding the
 * persistent-chat widget, with the token its back end signed for the customer. */
async function openAccountPage(token) {
  const signedIn = { token };
  const site = createServer((_, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    const signIn = signedIn.token
      ? `<script>window.addEventListener("switchboard:ready", () => Switchboard.setCustomerToken(${JSON.stringify(signedIn.token)}));</script>`
      : "";
    response.end(`<!doctype html><html lang="en"><title>My account</title><h1>My account</h1>
      ${signIn}
      <script src="${server.base}/widget.js" data-widget="account"></script>`);
  });
  await new Promise((resolve) => site.listen(0, "127.0.0.1", resolve));
  const { page, context, problems } = await checkedPage();
  context.on("close", () => site.close());
  await page.goto(`http://127.0.0.1:${site.address().port}/account`);
  return { page, context, problems, signedIn };
}

async function checkedPage(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 }, ...options });
  const page = await context.newPage();
  const problems = [];
  page.on("websocket", (socket) => {
    socket.on("framesent", ({ payload }) => {
      const problem = schemaProblem("CustomerClientFrame", JSON.parse(String(payload)));
      if (problem) problems.push(problem);
    });
    socket.on("framereceived", ({ payload }) => {
      const problem = schemaProblem("CustomerServerFrame", JSON.parse(String(payload)));
      if (problem) problems.push(problem);
    });
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  return { page, context, problems };
}

const isMessage = (text) => (event) => event.type === "message" && event.message.text === text;

test("a customer chats with an agent from the web page, through a reload, and ends the chat", async () => {
  const agent = await ScriptedAgent.signIn(server.base, "ann@example.com");
  const { page, context, problems } = await openDemo();
  await page.screenshot({ path: join(screenshotDir, "widget-closed.png") });

  await page.getByRole("button", { name: "Chat with us" }).click();
  await page.getByLabel("Your name").fill("Zoë Nováková");
  await page.getByLabel("How can we help?").fill("Hi! Where is my order?");
  await page.getByRole("button", { name: "Start chat" }).click();
  // Nobody is Available yet: the customer is told where they stand.
  await page.getByText("You are number 1 in the queue").waitFor();
  await page.screenshot({ path: join(screenshotDir, "widget-queued.png") });

  await agent.command({ type: "set_presence", presence: { state: "available" } });
  const { offer } = await agent.waitFor((e) => e.type === "offer", "the offer");
  assert.equal(offer.customer_name, "Zoë Nováková");
  assert.equal(offer.comment, "Hi! Where is my order?");
  assert.deepEqual(await agent.command({ type: "accept", conversation: offer.conversation }), { status: "ok", result: { kind: "done" } });
  const { conversation } = await agent.waitFor((e) => e.type === "snapshot", "the snapshot");
  const context_ = Object.fromEntries(conversation.context.map((c) => [c.name, c]));
  assert.equal(context_["Cart"].value, "2 items, €153.50");
  assert.equal(context_["Cart"].isDisplayable, true);
  assert.equal(context_["Customer segment"].isDisplayable, false);
  assert.match(context_["Page URL"].value, /\/demo$/);

  await page.getByText("Ann joined the chat.").waitFor();
  // The agent's typing shows, and goes when their message arrives.
  agent.send({ type: "typing", conversation: offer.conversation, typing: true });
  await page.getByText("Ann is typing…").waitFor();
  await page.screenshot({ path: join(screenshotDir, "widget-agent-typing.png") });
  const reply = 'Hello Zoë! Characters like & and "quotes" stay as typed.';
  await agent.command({ type: "send_message", conversation: offer.conversation, text: reply });
  await page.getByText(reply).waitFor();
  await page.getByText("Ann is typing…").waitFor({ state: "detached" });
  // Shown in an open panel on a visible page: the agent learns it was seen.
  const { receipts } = await agent.waitFor((e) => e.type === "receipts" && e.receipts.read_up_to !== null, "the receipt");
  assert.equal(receipts.delivered_up_to, receipts.read_up_to);

  // The customer's typing reaches the agent, and its end once the message is sent.
  const composer = page.getByPlaceholder("Write a message…");
  await composer.fill("Where is my order?");
  await agent.waitFor((e) => e.type === "typing" && e.typing, "the customer typing");
  await composer.press("Enter");
  const { message: asked } = await agent.waitFor(isMessage("Where is my order?"), "the customer's message");
  await agent.waitFor((e) => e.type === "typing" && !e.typing, "the customer's typing ending");
  // The agent's desktop has it: the customer sees it was delivered.
  agent.send({ type: "receipt", conversation: offer.conversation, message: asked.id });
  await page.getByText("Delivered").waitFor();

  // The composer refuses what the server would refuse, in words.
  await composer.fill("x".repeat(1001));
  await page.getByText("Too long by 1 characters.").waitFor();
  assert.equal(await page.getByRole("button", { name: "Send" }).isDisabled(), true);
  await composer.fill("is 2 < 3?");
  await composer.press("Enter");
  await page.getByText("The characters < and > cannot be sent.").waitFor();
  await composer.fill("Line one");
  await composer.press("Shift+Enter");
  await composer.type("line two");
  await composer.press("Enter");
  await agent.waitFor(isMessage("Line one\nline two"), "a two-line message");
  // A card number is masked as the server accepts it: the customer's own thread shows it
  // masked, and the widget says why.
  await page.getByText("Card and account numbers you write are hidden for your safety.").waitFor();
  await composer.fill("My card is 4111 1111 1111 1111");
  await composer.press("Enter");
  const masked = await agent.waitFor(
    (e) => e.type === "message" && e.message.text.startsWith("My card is"),
    "the message with a card number",
  );
  assert.doesNotMatch(masked.message.text, /4111 1111 1111 1111/);
  await page.getByText(masked.message.text).waitFor();
  assert.equal(await page.getByText("4111 1111 1111 1111").count(), 0);
  await page.screenshot({ path: join(screenshotDir, "widget-chat.png") });

  // A reload resumes the same conversation, thread and all.
  await page.reload();
  await page.getByText(reply).waitFor();
  await page.getByPlaceholder("Write a message…").fill("Still here after a reload");
  await page.getByPlaceholder("Write a message…").press("Enter");
  await agent.waitFor(isMessage("Still here after a reload"), "the message after reload");

  await page.getByRole("button", { name: "End chat" }).click();
  await agent.waitFor(isMessage("Customer ended the conversation"), "the customer ending");
  await page.getByText("You ended the chat.").waitFor();
  await page.screenshot({ path: join(screenshotDir, "widget-ended.png") });

  // "How did we do?": stars and a comment, taken once; the button waits for a rating.
  const survey = page.getByRole("form", { name: "How did we do?" });
  const send = survey.getByRole("button", { name: "Send rating" });
  assert.equal(await send.isDisabled(), true);
  await survey.getByRole("radio", { name: "4 stars" }).click();
  assert.equal(await survey.getByRole("radio", { name: "4 stars" }).getAttribute("aria-checked"), "true");
  await survey.getByLabel("Anything to add?").fill("Quick and friendly");
  await page.screenshot({ path: join(screenshotDir, "widget-survey.png") });
  await send.click();
  await page.getByRole("status").getByText("Thank you for your feedback!").waitFor();

  assert.deepEqual(problems, [], "every frame matches the protocol schema");
  assert.deepEqual(agent.problems, [], "every agent frame matches the protocol schema");
  agent.close();
  await context.close();
});

test("the widget speaks the browser's language", async () => {
  for (const [locale, open] of [["cs-CZ", "Napište nám"], ["da-DK", "Chat med os"], ["fr-FR", "Discuter avec nous"], ["pl-PL", "Napisz do nas"]]) {
    const { page, context, problems } = await openDemo({ locale });
    await page.getByRole("button", { name: open }).waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  }
});

const ok = { status: "ok", result: { kind: "done" } };

/** A signed-in customer starts a persistent chat on their account page, and the agent signed in
 * as `email` accepts it. */
async function acceptedPersistentChat(email, token, name, message) {
  const agent = await ScriptedAgent.signIn(server.base, email);
  await agent.command({ type: "set_presence", presence: { state: "available" } });
  const first = await openAccountPage(token);
  await first.page.getByRole("button", { name: "Chat with us" }).click();
  await first.page.getByLabel("Your name").fill(name);
  await first.page.getByLabel("How can we help?").fill(message);
  await first.page.getByRole("button", { name: "Start chat" }).click();
  // Chats earlier tests left waiting may be offered first: those are turned down.
  for (;;) {
    const { offer } = await agent.waitFor((e) => e.type === "offer", "the offer");
    if (offer.customer_name !== name) {
      await agent.command({ type: "reject", conversation: offer.conversation });
      continue;
    }
    assert.deepEqual(await agent.command({ type: "accept", conversation: offer.conversation }), ok);
    return { agent, first, offer };
  }
}

test("a signed-in customer finds their persistent chat, history and all, on another device", async () => {
  const token = customerToken("customer-7", "Zoë Nováková");
  const { agent, first, offer } = await acceptedPersistentChat("ann@example.com", token, "Zoë", "Can I change my delivery address?");
  assert.deepEqual(await agent.command({ type: "send_message", conversation: offer.conversation, text: "Yes, until it ships." }), ok);
  await first.page.getByText("Yes, until it ships.").waitFor();
  // Only the agent ends a persistent chat.
  assert.equal(await first.page.getByRole("button", { name: "End chat" }).isVisible(), false);
  assert.deepEqual(first.problems, []);
  await first.context.close();

  // Another browser, nothing stored: the signed-in customer gets the conversation back.
  const second = await openAccountPage(token);
  await second.page.getByRole("button", { name: "Chat with us" }).click();
  await second.page.getByText("Can I change my delivery address?").waitFor();
  await second.page.getByText("Yes, until it ships.").waitFor();
  assert.equal(await second.page.getByLabel("Your name").isVisible(), false, "no start form");
  await second.page.getByPlaceholder("Write a message…").fill("Thanks, done.");
  await second.page.getByPlaceholder("Write a message…").press("Enter");
  await agent.waitFor(isMessage("Thanks, done."), "the message from the other device");
  // Ann has been in the conversation all along: her answer shows it, no "joined" line repeats it.
  assert.equal(await second.page.getByText("Ann joined the chat.").count(), 0);
  await second.page.screenshot({ path: join(screenshotDir, "widget-persistent.png") });
  assert.deepEqual(second.problems, [], "every frame matches the protocol schema");
  assert.deepEqual(agent.problems, []);
  agent.close();
  await second.context.close();
});

test("an invitation shows by its rule, closes itself after a minute, and one accepted reaches the agent as proactive", async () => {
  const agent = await ScriptedAgent.signIn(server.base, "ann@example.com");
  await agent.command({ type: "set_presence", presence: { state: "available" } });
  const { page, context, problems } = await checkedPage();
  // The page's clock is the test's: a minute passes in no time.
  await page.clock.install();
  await page.goto(`${server.base}/demo`);
  await page.getByRole("button", { name: "Chat with us" }).waitFor();
  const invitation = page.getByRole("dialog", { name: "Invitation to chat" });
  await page.clock.runFor(29_000);
  assert.equal(await invitation.count(), 0, "not before 30 s on the page");
  await page.clock.runFor(2_000);
  await invitation.getByText("Questions about our plans? We are here.").waitFor();
  await page.screenshot({ path: join(screenshotDir, "widget-invitation.png") });
  await page.clock.runFor(58_000);
  assert.equal(await invitation.count(), 1, "still there before the minute is out");
  await page.clock.runFor(2_000);
  await invitation.waitFor({ state: "detached" });

  // The page invites by itself, with its own words; the visitor accepts.
  await page.evaluate(() => window.Switchboard.startProactiveChat({ message: "Want a hand choosing a plan?" }));
  await invitation.getByText("Want a hand choosing a plan?").waitFor();
  await invitation.getByRole("button", { name: "Chat now" }).click();
  await page.getByLabel("Your name").fill("Zoë");
  await page.getByLabel("How can we help?").fill("Which plan has SSO?");
  await page.getByRole("button", { name: "Start chat" }).click();
  const { offer } = await agent.waitFor((e) => e.type === "offer" && e.offer.comment === "Which plan has SSO?", "the offer");
  assert.equal(offer.scenario, "proactive_accepted");
  assert.equal(offer.proactive, true);
  // The page and the time on it come with the offer.
  const offered = offer.context.map((c) => c.name);
  assert.ok(offered.includes("Page URL") && offered.includes("Time on page"), offered.join(", "));
  await agent.command({ type: "accept", conversation: offer.conversation });
  const { conversation } = await agent.waitFor((e) => e.type === "snapshot" && e.conversation.id === offer.conversation, "the snapshot");
  assert.equal(conversation.proactive, true);
  const details = Object.fromEntries(conversation.context.map((c) => [c.name, c]));
  assert.match(details["Page URL"].value, /\/demo$/);
  assert.equal(details["Time on page"].isDisplayable, true);
  assert.ok(Number.parseInt(details["Time on page"].value) >= 91, details["Time on page"].value);
  assert.deepEqual(problems, [], "every frame matches the protocol schema");
  assert.deepEqual(agent.problems, []);
  agent.close();
  await context.close();
});

test("a persistent chat is not shown to a browser whose customer the site signed out, and signOut() forgets it", async () => {
  const agent = await ScriptedAgent.signIn(server.base, "ann@example.com");
  const token = customerToken("customer-8", "Olga Dvořáková");
  const account = await openAccountPage(token);
  const { page } = account;
  await page.getByRole("button", { name: "Chat with us" }).click();
  await page.getByLabel("Your name").fill("Olga");
  await page.getByLabel("How can we help?").fill("Is my refund on its way?");
  await page.getByRole("button", { name: "Start chat" }).click();
  await page.getByText("Is my refund on its way?").waitFor();

  // The site signs Olga out but does not tell the widget: the stored conversation is refused by
  // the server, and nothing of it stays on the page.
  account.signedIn.token = null;
  await page.reload();
  await page.getByRole("button", { name: "Chat with us" }).waitFor();
  await page.getByRole("button", { name: "Chat with us" }).click();
  await page.getByLabel("How can we help?").waitFor();
  assert.equal(await page.getByText("Is my refund on its way?").count(), 0);

  // Signed in again, she finds it; the site's sign-out then calls signOut(): gone from the page
  // and from the browser's storage.
  account.signedIn.token = token;
  await page.reload();
  await page.getByRole("button", { name: "Chat with us" }).click();
  await page.getByText("Is my refund on its way?").waitFor();
  await page.evaluate(() => /** @type {any} */ (window).Switchboard.signOut());
  await page.getByRole("button", { name: "Chat with us" }).waitFor();
  assert.equal(await page.getByText("Is my refund on its way?").count(), 0);
  const stored = await page.evaluate(() => Object.keys(localStorage).filter((key) => key.includes("switchboard")));
  assert.deepEqual(
    await page.evaluate((keys) => keys.map((key) => localStorage.getItem(key)).filter((value) => value && value !== "1" && value !== "null"), stored),
    [],
  );
  assert.deepEqual(account.problems, []);
  agent.close();
  await account.context.close();
});

test("a long persistent chat opens on its latest messages, and earlier ones come on request", async () => {
  const token = customerToken("customer-9", "Eva Malá");
  const { agent, first, offer } = await acceptedPersistentChat("cleo@example.com", token, "Eva", "My first question");
  // More answers than a page holds.
  for (let n = 1; n <= 55; n++) {
    await agent.command({ type: "send_message", conversation: offer.conversation, text: `Answer ${n}` });
  }
  await first.page.getByText("Answer 55").waitFor();
  await first.context.close();

  const second = await openAccountPage(token);
  await second.page.getByRole("button", { name: "Chat with us" }).click();
  await second.page.getByText("Answer 55").waitFor();
  assert.equal(await second.page.getByText("My first question").count(), 0, "only the latest page");
  const earlier = second.page.getByRole("button", { name: "Show earlier messages" });
  await earlier.scrollIntoViewIfNeeded();
  await second.page.screenshot({ path: join(screenshotDir, "widget-earlier-offered.png") });
  await earlier.click();
  await second.page.getByText("My first question").waitFor();
  assert.equal(await second.page.locator(".bubble", { hasText: /Answer 1$/ }).count(), 1, "every message once");
  assert.equal(await earlier.count(), 0, "the beginning is shown");
  await second.page.screenshot({ path: join(screenshotDir, "widget-earlier.png") });
  assert.deepEqual(second.problems, [], "every frame matches the protocol schema");
  agent.close();
  await second.context.close();
});

test("a customer sends a picture and a PDF, an executable called a picture is refused, and the agent's file comes back", async () => {
  const agent = await ScriptedAgent.signIn(server.base, "dana@example.com");
  await agent.command({ type: "set_presence", presence: { state: "available" } });
  const { page, context, problems } = await openWidgetPage("returns");
  await page.getByRole("button", { name: "Chat with us" }).click();
  await page.getByLabel("Your name").fill("Zoë");
  await page.getByLabel("How can we help?").fill("The parcel came damaged");
  await page.getByRole("button", { name: "Start chat" }).click();
  const { offer } = await agent.waitFor((e) => e.type === "offer", "the offer");
  await agent.command({ type: "accept", conversation: offer.conversation });
  await page.getByText("Dana joined the chat.").waitFor();

  // Through the picker: a picture and a PDF, in one message.
  const picture = readFileSync(join(root, "icons", "128x128.png"));
  const pdf = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
  const picker = page.locator("input[type=file]");
  await picker.setInputFiles([
    { name: "parcel.png", mimeType: "image/png", buffer: picture },
    { name: "receipt.pdf", mimeType: "application/pdf", buffer: pdf },
  ]);
  const { message } = await agent.waitFor((e) => e.type === "message" && e.message.attachments?.length === 2, "the files");
  const files = message.attachments.map((attachment) => attachment.file);
  assert.deepEqual(files.map((file) => [file.name, file.content_type]), [["parcel.png", "image/png"], ["receipt.pdf", "application/pdf"]]);
  // The agent reads them through links, byte for byte.
  for (const [file, bytes] of [[files[0], picture], [files[1], pdf]]) {
    const outcome = await agent.command({ type: "file_link", conversation: offer.conversation, file: file.id });
    const response = await fetch(server.base + outcome.result.link.url);
    assert.equal(response.status, 200);
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), bytes);
  }
  // The customer sees the picture as a thumbnail, and the PDF as a file to download.
  const thumbnail = page.getByRole("img", { name: "parcel.png" });
  await page.waitForFunction(() => {
    const image = document.querySelector("#switchboard-widget").shadowRoot.querySelector(".thumb img");
    return image && image.complete && image.naturalWidth > 0;
  });
  await page.getByRole("button", { name: "Download receipt.pdf" }).waitFor();

  // A program named like a picture is refused with the server's words, and nothing is sent.
  await picker.setInputFiles([{ name: "cat.png", mimeType: "image/png", buffer: readFileSync("/bin/true") }]);
  await page.getByText("Files of this type (application/x-executable) are not taken.").waitFor();

  // The agent sends a picture back; it shows in the thread and opens larger on click.
  const outcome = await agent.command({ type: "upload", conversation: offer.conversation, name: "label.png" });
  const uploaded = await fetch(server.base + outcome.result.link.url, { method: "POST", body: picture });
  assert.equal(uploaded.status, 201);
  const label = await uploaded.json();
  await agent.command({ type: "send_message", conversation: offer.conversation, text: "Here is the return label", files: [label.id] });
  await page.getByText("Here is the return label").waitFor();
  await page.getByRole("img", { name: "label.png" }).waitFor();
  await page.screenshot({ path: join(screenshotDir, "widget-files.png") });
  await thumbnail.click();
  const viewer = page.getByRole("dialog", { name: "parcel.png" });
  await viewer.waitFor();
  await page.screenshot({ path: join(screenshotDir, "widget-picture-open.png") });
  await page.keyboard.press("Escape");
  await viewer.waitFor({ state: "detached" });
  const fromCustomer = agent.events.filter((e) => e.type === "message" && e.message.from.kind === "customer" && e.message.attachments?.length);
  assert.equal(fromCustomer.length, 0, "the refused file never reached the agent");

  await agent.command({ type: "end", conversation: offer.conversation, wrap_up: "Resolved" });
  assert.deepEqual(problems, [], "every frame matches the protocol schema");
  assert.deepEqual(agent.problems, [], "every agent frame matches the protocol schema");
  agent.close();
  await context.close();
});
