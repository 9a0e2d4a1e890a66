// A customer on the chat widget's protocol, driven line by line from a test:
//   node customer.mjs <ws-url> <name> <first message>
// then on stdin: `say <text>` sends a message, `end` ends the chat. Every frame the server sends
// is printed as one JSON line.
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';

const require = createRequire(new URL('../../widget/package.json', import.meta.url));
const WebSocket = require('ws');
const [url, name, message] = process.argv.slice(2);
const commandId = () => randomBytes(16).toString('hex');
const socket = new WebSocket(url);
const send = (command) => socket.send(JSON.stringify({ type: 'command', id: commandId(), command }));

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
socket.on('message', (data) => process.stdout.write(`${data}\n`));
socket.on('close', () => process.exit(0));

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.startsWith('say ')) send({ type: 'send_message', text: line.slice(4) });
  else if (line === 'end') send({ type: 'end' });
});
