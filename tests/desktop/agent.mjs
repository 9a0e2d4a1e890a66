// An agent on the desktop protocol, without a window, driven line by line from a test:
//   node agent.mjs <http-url> <email> <password>
// It signs in, goes Available and accepts every offer; on stdin `say <conversation> <text>` sends
// a message. Every frame the server sends is printed as one JSON line.
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';

const require = createRequire(new URL('../../widget/package.json', import.meta.url));
const WebSocket = require('ws');
const [server, email, password] = process.argv.slice(2);
const login = await fetch(new URL('/api/v1/agent/login', server), {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email, password }),
});
if (!login.ok) throw new Error(`sign-in refused: ${login.status}`);
const { token } = await login.json();
const socket = new WebSocket(`${server.replace(/^http/, 'ws')}/api/v1/agent/ws`, {
  headers: { authorization: `Bearer ${token}` },
});
const send = (command) =>
  socket.send(JSON.stringify({ type: 'command', id: randomBytes(16).toString('hex'), command }));

socket.on('open', () => {
  socket.send(JSON.stringify({ type: 'hello', protocol: 1, last_seq: null }));
  send({ type: 'set_presence', presence: { state: 'available' } });
});
socket.on('message', (data) => {
  process.stdout.write(`${data}\n`);
  const frame = JSON.parse(String(data));
  if (frame.type !== 'event') return;
  socket.send(JSON.stringify({ type: 'ack', seq: frame.seq }));
  if (frame.event.type === 'offer') send({ type: 'accept', conversation: frame.event.offer.conversation });
});
socket.on('close', () => process.exit(0));

createInterface({ input: process.stdin }).on('line', (line) => {
  const [verb, conversation, ...words] = line.split(' ');
  if (verb === 'say') send({ type: 'send_message', conversation, text: words.join(' ') });
});
