// The widget's connection: sends commands, applies events exactly once in sequence order,
// acknowledges them, and reconnects with backoff, resuming from the last event applied. What it
// needs to resume survives a page reload (localStorage).
namespace SwitchboardWidget {
  export interface Saved {
    token: string;
    lastSeq: number;
    transcript: CustomerEvent[];
  }

  const STORAGE_KEY = "switchboard.chat";

  export function loadSaved(widget: string): Saved | null {
    try {
      const text = window.localStorage.getItem(`${STORAGE_KEY}.${widget}`);
      return text ? (JSON.parse(text) as Saved) : null;
    } catch {
      return null;
    }
  }

  function save(widget: string, saved: Saved | null): void {
    try {
      const key = `${STORAGE_KEY}.${widget}`;
      if (saved) window.localStorage.setItem(key, JSON.stringify(saved));
      else window.localStorage.removeItem(key);
    } catch {
      // Private browsing without storage: the chat still works, it just does not survive a reload.
    }
  }

  /** 128 random bits as hex: a command id nobody else will choose (a retried start is recognised
   *  by it). getRandomValues works on plain http too, unlike randomUUID. */
  function randomId(): string {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  }

  /** A command's outcome: a `history` command's page of messages with it, an `upload` or
   *  `file_link` command's link. */
  export interface Outcome {
    ok: boolean;
    error?: ErrorBody;
    messages?: ChatMessage[];
    link?: FileLink;
  }

  export interface ConnectionEvents {
    onEvent(event: CustomerEvent, replayed: boolean): void;
    /** An agent is typing, or stopped: outside the event sequence, nothing to keep. */
    onTyping(name: string, typing: boolean): void;
    onStatus(status: "connecting" | "connected" | "reconnecting"): void;
    onRefused(error: ErrorBody): void;
  }

  export class Connection {
    private socket: WebSocket | null = null;
    private saved: Saved | null;
    private pending = new Map<string, (outcome: Outcome) => void>();
    /** Commands not sent yet, in order. */
    private queue: string[] = [];
    /** Commands sent and not answered, by id: sent again, under the same id, on the next
     *  connection (the server answers one it has already applied with its first reply). */
    private unanswered = new Map<string, string>();
    private attempts = 0;
    private closed = false;
    /** The signed-in customer's token, which resuming a persistent conversation presents. */
    customerToken: string | null = null;

    constructor(
      private readonly url: string,
      private readonly widget: string,
      private readonly events: ConnectionEvents,
    ) {
      this.saved = loadSaved(widget);
    }

    get resumable(): boolean {
      return this.saved !== null;
    }

    /** What was shown before a reload, to draw again. */
    transcript(): CustomerEvent[] {
      return this.saved ? this.saved.transcript.slice() : [];
    }

    open(): void {
      this.closed = false;
      this.welcomed = false;
      this.events.onStatus(this.attempts === 0 ? "connecting" : "reconnecting");
      const socket = new WebSocket(this.url);
      this.socket = socket;
      socket.onopen = () => {
        const resume = this.saved
          ? { token: this.saved.token, last_seq: this.saved.lastSeq, customer_token: this.customerToken }
          : null;
        socket.send(JSON.stringify({ type: "hello", protocol: PROTOCOL_VERSION, resume }));
      };
      socket.onmessage = (message) => this.receive(JSON.parse(String(message.data)) as CustomerServerFrame);
      socket.onclose = () => {
        if (this.socket !== socket || this.closed) return;
        // What was sent and not answered goes first on the next connection, in the order sent.
        const waiting = new Set(this.queue);
        this.queue = [...[...this.unanswered.values()].filter((frame) => !waiting.has(frame)), ...this.queue];
        this.socket = null;
        this.attempts += 1;
        // Exponential backoff with jitter, capped at 15 s.
        const delay = Math.min(15000, 500 * 2 ** Math.min(this.attempts, 5)) * (0.5 + Math.random());
        window.setTimeout(() => this.open(), delay);
        this.events.onStatus("reconnecting");
      };
    }

    /** Sends a command; resolves with its outcome. Commands wait while disconnected. */
    command(command: CustomerCommand): Promise<Outcome> {
      const id = randomId();
      const frame = JSON.stringify({ type: "command", id, command });
      return new Promise((resolve) => {
        this.pending.set(id, resolve);
        this.unanswered.set(id, frame);
        this.queue.push(frame);
        this.flush();
      });
    }

    /** Says the customer is typing, or stopped: only on a connection that is up, never queued
     *  (a late typing frame would say something no longer true). */
    typing(typing: boolean): void {
      const socket = this.socket;
      if (!socket || socket.readyState !== WebSocket.OPEN || !this.welcomed) return;
      socket.send(JSON.stringify({ type: "typing", typing }));
    }

    /** Says the thread up to `message` reached the customer (and, `seen`, was in view): only on
     *  a connection that is up; a later receipt covers one that could not go. */
    receipt(message: number, seen: boolean): void {
      const socket = this.socket;
      if (!socket || socket.readyState !== WebSocket.OPEN || !this.welcomed) return;
      socket.send(JSON.stringify({ type: "receipt", message, seen }));
    }

    /** Forgets the conversation: the next chat starts afresh. */
    forget(): void {
      this.saved = null;
      save(this.widget, null);
    }

    close(): void {
      this.closed = true;
      this.socket?.close();
    }

    private flush(): void {
      const socket = this.socket;
      if (!socket || socket.readyState !== WebSocket.OPEN || !this.welcomed) return;
      while (this.queue.length > 0) socket.send(this.queue.shift() as string);
    }

    private welcomed = false;

    private receive(frame: CustomerServerFrame): void {
      switch (frame.type) {
        case "welcome":
          this.welcomed = true;
          this.attempts = 0;
          this.events.onStatus("connected");
          this.flush();
          break;
        case "event":
          this.apply(frame.seq, frame.event);
          break;
        case "reply": {
          const resolve = this.pending.get(frame.id);
          this.pending.delete(frame.id);
          this.unanswered.delete(frame.id);
          const outcome = frame.outcome;
          if (outcome.status === "error") resolve?.({ ok: false, error: outcome.error });
          else
            resolve?.({
              ok: true,
              messages: outcome.status === "page" ? outcome.messages : undefined,
              link: outcome.status === "link" ? outcome.link : undefined,
            });
          break;
        }
        case "typing":
          this.events.onTyping(frame.name, frame.typing);
          break;
        case "error":
          if (frame.error.code === "not_found") {
            // The conversation is gone (expired or unknown): start afresh.
            this.forget();
          }
          this.events.onRefused(frame.error);
          break;
      }
    }

    private apply(seq: number, event: CustomerEvent): void {
      if (event.type === "started") {
        this.saved = { token: event.token, lastSeq: 0, transcript: [] };
      }
      const saved = this.saved;
      if (!saved || seq <= saved.lastSeq) return; // already applied
      saved.lastSeq = seq;
      // "started" is kept: a reload learns again whether the chat is persistent.
      if (event.type !== "queued") saved.transcript.push(event);
      save(this.widget, saved);
      this.socket?.send(JSON.stringify({ type: "ack", seq }));
      this.events.onEvent(event, false);
    }
  }
}
