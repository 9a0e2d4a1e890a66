// A customer on the chat widget's protocol, driven line by line from a test:
//   node customer.mjs <ws-url> <name> <first message>
// then on stdin: `say <text>` sends a message, `send-file <path>` uploads a file and sends it as
// the widget does, `end` ends the chat. Every frame the server sends is printed as one JSON line.
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';

const require = createRequire(new URL('../../widget/package.json', import.meta.url));
const WebSocket = require('ws');
const [url, name, message] = process.argv.slice(2);
const commandId = () => randomBytes(16).toString('hex');
const socket = new WebSocket(url);
const send = (command) => socket.send(JSON.stringify({ type: 'command', id: commandId(), command }));
const replies = new Map();

/** Sends a command and waits for its reply's outcome. */
function ask(command) {
  const id = commandId();
  socket.send(JSON.stringify({ type: 'command', id, command }));
  return new Promise((resolve) => replies.set(id, resolve));
}

/** Uploads the file at `path` through the link the server gives, then sends it. */
async function sendFile(path) {
  const outcome = await ask({ type: 'upload', name: basename(path) });
  const uploaded = await fetch(new URL(outcome.link.url, url.replace(/^ws/, 'http')), { method: 'POST', body: readFileSync(path) });
  const stored = await uploaded.json();
  send({ type: 'send_message', text: '', files: [stored.id] });
}

socket.on('open', () => {
  socket.send(JSON.stringify({ type: 'hello', protocol: 1 }));
  send({
    type: 'start_chat',
    widget: 'website',
    name,
    message,
    context: {
      page: { value: '/pricing', isDisplayable: true },
      internal_score: { value: '42', isDisplayable: false },
    },
  });
});
socket.on('message', (data) => {
  process.stdout.write(`${data}\n`);
  const frame = JSON.parse(String(data));
  if (frame.type === 'reply') replies.get(frame.id)?.(frame.outcome);
});
socket.on('close', () => process.exit(0));

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.startsWith('say ')) send({ type: 'send_message', text: line.slice(4) });
  else if (line.startsWith('send-file ')) sendFile(line.slice(10));
  else if (line === 'end') send({ type: 'end' });
});
