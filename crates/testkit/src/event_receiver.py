"""An event webhook endpoint for the tests. Each request is checked with the Standard Webhooks
library (signature, timestamp); every `refuse_every`-th good one is answered 503 so that the
server has to retry. Prints one JSON line per request: {"accepted": event id, "event": …} or
{"refused": why}; the first line gives the port it listens on."""

import http.server
import json
import sys

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

hook = Webhook(sys.argv[1])
refuse_every = int(sys.argv[2])
good = 0


def say(line):
    print(json.dumps(line), flush=True)


class Endpoint(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        global good
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        try:
            event = hook.verify(body, dict(self.headers.items()))
        except WebhookVerificationError as error:
            say({"refused": str(error)})
            return self.answer(401)
        good += 1
        if refuse_every and good % refuse_every == 0:
            return self.answer(503)
        say({"accepted": self.headers["webhook-id"], "event": event})
        self.answer(204)

    def answer(self, status):
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
say({"port": server.server_address[1]})
server.serve_forever()
