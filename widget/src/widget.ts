// The Switchboard chat widget. Embed with one tag:
//
//   <script src="https://switchboard.example.com/widget.js" data-widget="website" async></script>
//
// The page may pass context when a chat starts, as a well-known widget API does:
//
//   window.addEventListener("switchboard:ready", () => {
//     Switchboard.setContextProvider(() => ({ cart: { value: "3 items", isDisplayable: true } }));
//   });
//
// A persistent-chat widget is for customers the site signed in: the page hands over the token
// the site's back end signed for them, and the widget opens their conversation, history and all:
//
//     Switchboard.setCustomerToken(token);
//     Switchboard.signOut();   // when the site signs its customer out: this browser forgets the chat
//
// A widget with proactive chat on invites visitors by its rules, or when the page asks:
//
//     Switchboard.startProactiveChat({ message: "Need a hand choosing a plan?" });
namespace SwitchboardWidget {
  /** An unanswered invitation closes itself after a minute; this is not configurable. */
  const INVITATION_SECONDS = 60;
  /** Marks a browser that has seen the widget before: a returning visitor. */
  const VISITED_KEY = "switchboard.visited";

  type ContextProvider = () => Record<string, ContextValue>;

  export class Widget {
    private readonly view: View;
    private readonly connection: Connection;
    private readonly words: Strings;
    private contextProvider: ContextProvider | null = null;
    private customerToken: string | null = null;
    private settings: WidgetSettings = { proactive: null, hides_payment_data: false, survey: false };
    private invitationTimer: number | undefined;
    /** The chat about to start answers an invitation. */
    private invited = false;
    private readonly openedAt = Date.now();
    private started = false;
    /** The agent the thread shows the customer with: a join by the same agent is no news. */
    private withAgent: string | null = null;

    constructor(
      private readonly server: string,
      private readonly widgetId: string,
    ) {
      this.words = strings(navigator.languages ?? [navigator.language]);
      const host = document.createElement("div");
      host.id = "switchboard-widget";
      document.body.appendChild(host);
      this.view = new View(host, this.words, {
        start: (name, email, message) => this.start(name, email, message),
        send: (text) => this.send(text),
        drafted: (empty) => this.drafted(empty),
        end: () => this.end(),
        opened: () => {
          this.connect();
          this.catchUpSeen();
        },
        earlier: () => void this.earlier(),
        attach: (files) => void this.attach(files),
        fileUrl: (file) => this.fileUrl(file),
      });
      const socketUrl = server.replace(/^http/, "ws") + "/api/v1/customer/ws";
      this.connection = new Connection(socketUrl, widgetId, {
        onEvent: (event) => this.show(event),
        onTyping: (name, typing) => this.view.showTyping(typing ? this.words.typing(name) : null),
        onStatus: (status) => this.showStatus(status),
        onRefused: (error) => {
          if (error.code === "not_found" && this.started) {
            // The stored conversation may not be resumed (gone, or its customer signed out on
            // the site): nothing of it stays on the page.
            this.started = false;
            this.view.reset();
            if (this.customerToken) void this.resume();
            return;
          }
          this.view.setProblem(error.message);
        },
      });
      document.addEventListener("visibilitychange", () => this.catchUpSeen());
      void this.loadSettings(server);
      if (this.connection.resumable) {
        // A reload: the chat goes on where it was.
        this.started = true;
        this.view.showStart(false);
        for (const event of this.connection.transcript()) this.show(event);
        this.view.open();
        this.connect();
      }
    }

    setContextProvider(provider: ContextProvider): void {
      this.contextProvider = provider;
    }

    /** The server's settings for this widget; an invitation by the rules, if they say so. */
    private async loadSettings(server: string): Promise<void> {
      const returning = window.localStorage.getItem(VISITED_KEY) !== null;
      window.localStorage.setItem(VISITED_KEY, "1");
      try {
        const response = await fetch(`${server}/api/v1/widgets/${encodeURIComponent(this.widgetId)}`);
        if (!response.ok) return;
        this.settings = (await response.json()) as WidgetSettings;
      } catch (error) {
        console.warn("switchboard: the widget's settings could not be loaded", error);
        return;
      }
      if (this.settings.hides_payment_data) this.view.showPaymentDataNote();
      const proactive = this.settings.proactive;
      const rules = proactive?.invitation;
      if (!proactive || !rules || !proactive.open_now) return;
      if (rules.url_contains && !window.location.href.includes(rules.url_contains)) return;
      if ((rules.audience === "new" && returning) || (rules.audience === "returning" && !returning)) return;
      const wait = Math.max(0, rules.after_seconds * 1000 - (Date.now() - this.openedAt));
      window.setTimeout(() => this.invite(rules.message), wait);
    }

    /** The page's own invitation (`startProactiveChat`), where the widget may invite. */
    startProactiveChat(config: { message?: string } = {}): void {
      const proactive = this.settings.proactive;
      if (!proactive) {
        console.warn("switchboard: this widget does not invite visitors");
        return;
      }
      const message = config.message ?? proactive.invitation?.message;
      if (message) this.invite(message);
    }

    private invite(message: string): void {
      if (this.started || this.view.isOpen) return;
      window.clearTimeout(this.invitationTimer);
      const close = () => {
        window.clearTimeout(this.invitationTimer);
        this.view.hideInvitation();
      };
      this.view.showInvitation(message, {
        accept: () => {
          close();
          this.invited = true;
          this.openChat();
        },
        dismiss: close,
      });
      this.invitationTimer = window.setTimeout(close, INVITATION_SECONDS * 1000);
    }

    setCustomerToken(token: string): void {
      this.customerToken = token;
      this.connection.customerToken = token;
      if (this.connected && !this.started) void this.resume();
    }

    /** The site signed its customer out: this browser forgets the conversation and its token,
     * and the widget starts afresh. */
    signOut(): void {
      this.customerToken = null;
      this.connection.customerToken = null;
      this.connection.forget();
      this.connection.close();
      this.connected = false;
      this.started = false;
      this.withAgent = null;
      this.view.reset();
    }

    openChat(): void {
      this.view.open();
      this.connect();
    }

    private connected = false;

    private connect(): void {
      if (this.connected) return;
      this.connected = true;
      this.connection.open();
      if (this.customerToken && !this.started) void this.resume();
    }

    /** Opens the signed-in customer's persistent conversation, if they have one. */
    private async resume(): Promise<void> {
      const token = this.customerToken;
      if (token === null) return;
      const outcome = await this.connection.command({ type: "resume", widget: this.widgetId, customer_token: token });
      if (outcome.ok) {
        this.started = true;
        this.view.showStart(false);
      } else if (outcome.error?.code !== "not_found") {
        // No conversation yet is no problem: the first message starts one.
        this.view.setStartProblem(outcome.error?.message ?? "");
      }
    }

    private context(): Record<string, ContextValue> {
      const context: Record<string, ContextValue> = {
        "Page URL": { value: window.location.href, isDisplayable: true },
        "Time on page": { value: `${Math.round((Date.now() - this.openedAt) / 1000)} s`, isDisplayable: true },
      };
      try {
        const provided = this.contextProvider ? this.contextProvider() : {};
        for (const [name, entry] of Object.entries(provided).slice(0, MAX_CONTEXT_VARIABLES - 2)) {
          context[name] = { value: String(entry.value), isDisplayable: Boolean(entry.isDisplayable) };
        }
      } catch (error) {
        console.warn("switchboard: the context provider failed", error);
      }
      return context;
    }

    private async start(name: string, email: string, message: string): Promise<void> {
      // Set before sending: the queue position may arrive before the reply, and must win.
      this.setChatStatus(this.words.waitingForAgent);
      const outcome = await this.connection.command({
        type: "start_chat",
        widget: this.widgetId,
        name,
        email: email === "" ? null : email,
        message,
        context: this.context(),
        customer_token: this.customerToken,
        proactive: this.invited,
        // The agents' templates come in the customer's language where they are written in it.
        language: navigator.language ?? null,
      });
      if (!outcome.ok) {
        this.setChatStatus("");
        this.view.setStartProblem(outcome.error?.message ?? "");
        return;
      }
      this.started = true;
      this.view.showStart(false);
    }

    private async send(text: string): Promise<void> {
      const outcome = await this.connection.command({ type: "send_message", text });
      if (!outcome.ok) this.view.setProblem(outcome.error?.message ?? "");
    }

    /** Uploads the files the customer chose, dropped or pasted, and sends them as one message.
     *  The server reads each one's type from its content; its refusal is shown as it words it. */
    private async attach(files: File[]): Promise<void> {
      if (!this.started || files.length === 0) return;
      if (files.length > MAX_FILES_PER_MESSAGE) {
        this.view.setProblem(this.words.tooManyFiles(MAX_FILES_PER_MESSAGE));
        return;
      }
      this.view.setProblem("");
      this.view.showSending(files.length);
      try {
        const ids: FileId[] = [];
        for (const file of files) {
          const uploaded = await this.upload(file);
          if (typeof uploaded === "string") {
            this.view.setProblem(uploaded);
            return;
          }
          ids.push(uploaded.id);
        }
        const outcome = await this.connection.command({ type: "send_message", text: "", files: ids });
        if (!outcome.ok) this.view.setProblem(outcome.error?.message ?? "");
      } finally {
        this.view.showSending(0);
      }
    }

    /** One file through an upload link: the stored file, or why not. */
    private async upload(file: File): Promise<StoredFile | string> {
      const outcome = await this.connection.command({ type: "upload", name: file.name });
      if (!outcome.ok || !outcome.link) return outcome.error?.message ?? this.words.uploadFailed;
      try {
        // Sent without a type (the server reads it from the content): no preflight needed.
        const response = await fetch(this.server + outcome.link.url, { method: "POST", body: new Blob([file]) });
        const body: unknown = await response.json();
        if (response.ok) return body as StoredFile;
        return (body as ErrorBody).message ?? this.words.uploadFailed;
      } catch {
        return this.words.uploadFailed;
      }
    }

    /** A short-lived address of a file of the conversation, to show or download it. */
    private async fileUrl(file: FileId): Promise<string | null> {
      const outcome = await this.connection.command({ type: "file_link", file });
      return outcome.ok && outcome.link ? this.server + outcome.link.url : null;
    }

    /** The latest message from the agents (or the bot) received, and the latest the agents
     *  were told the customer saw. */
    private lastFromAgents: number | null = null;
    private seenUpTo = 0;

    /** Tells the agents the latest message reached the customer, and whether it is in view. */
    private acknowledgeShown(): void {
      if (this.lastFromAgents === null) return;
      const seen = this.view.isOpen && document.visibilityState === "visible";
      this.connection.receipt(this.lastFromAgents, seen);
      if (seen) this.seenUpTo = this.lastFromAgents;
    }

    /** The panel opened or the page came back into view: what arrived meanwhile is seen now. */
    private catchUpSeen(): void {
      if (this.lastFromAgents !== null && this.lastFromAgents > this.seenUpTo) this.acknowledgeShown();
    }

    /** When the agent was last told the customer is typing; null while they are not. */
    private typingSaidAt: number | null = null;

    /** Tells the agent the customer is typing — at most every TYPING_EVERY_MILLIS while the
     *  draft changes — and that they stopped once the draft is empty, sent or left. */
    private drafted(empty: boolean): void {
      if (!this.started) return;
      const now = Date.now();
      if (empty) {
        if (this.typingSaidAt !== null) this.connection.typing(false);
        this.typingSaidAt = null;
      } else if (this.typingSaidAt === null || now - this.typingSaidAt >= TYPING_EVERY_MILLIS) {
        this.connection.typing(true);
        this.typingSaidAt = now;
      }
    }

    /** The page before the first message shown (a persistent chat opened on another visit). */
    private async earlier(): Promise<void> {
      const before = this.view.earlierThan;
      if (before === null) return;
      const outcome = await this.connection.command({ type: "history", before });
      if (outcome.ok) this.view.prependMessages(outcome.messages ?? []);
      else this.view.setProblem(outcome.error?.message ?? "");
    }

    /** "How did we do?": the answer goes on the ended chat's connection, taken once. */
    private askSurvey(): void {
      const survey: Survey = new Survey(this.words, async (rating, comment) => {
        const outcome = await this.connection.command({ type: "rate", rating, comment });
        if (outcome.ok) survey.thanked();
        else survey.refused(outcome.error?.message ?? "");
      });
      this.view.askSurvey(survey);
    }

    private async end(): Promise<void> {
      const outcome = await this.connection.command({ type: "end" });
      if (!outcome.ok) this.view.setProblem(outcome.error?.message ?? "");
    }

    private show(event: CustomerEvent): void {
      switch (event.type) {
        case "started":
          if (event.persistent) this.view.setPersistent();
          break;
        case "history": {
          this.view.showHistory(event.messages);
          const lastAgent = event.messages.filter((m) => m.from.kind === "agent").pop();
          this.withAgent = lastAgent?.from.kind === "agent" ? lastAgent.from.name : null;
          break;
        }
        case "queued": {
          const minutes = Math.max(1, Math.round(event.estimated_wait_seconds / 60));
          this.setChatStatus(this.words.queued(event.position, minutes));
          break;
        }
        case "agent_joined":
          this.setChatStatus("");
          if (event.name !== this.withAgent) this.view.addSystemLine(this.words.joined(event.name));
          this.withAgent = event.name;
          break;
        case "message":
          this.view.addMessage(event.message);
          if (event.message.from.kind === "agent") this.withAgent = event.message.from.name;
          if (event.message.from.kind !== "customer") {
            this.lastFromAgents = event.message.id;
            this.acknowledgeShown();
          }
          break;
        case "received":
          this.view.markReceived(event.up_to);
          break;
        case "ended": {
          const line = { agent: this.words.endedByAgent, customer: this.words.endedByCustomer, system: this.words.endedBySystem }[event.by];
          this.view.addSystemLine(line);
          this.setChatStatus("");
          this.view.ended();
          if (this.settings.survey) this.askSurvey();
          this.withAgent = null;
          // The next visit starts a new chat.
          this.connection.forget();
          break;
        }
      }
    }

    /** Where the chat stands (queued, waiting for an agent), shown unless the connection is
     *  being made again: then shown again once it is. */
    private chatStatus = "";

    private setChatStatus(text: string): void {
      this.chatStatus = text;
      this.view.setStatus(text);
    }

    private showStatus(status: "connecting" | "connected" | "reconnecting"): void {
      if (status === "reconnecting") this.view.setStatus(this.words.reconnecting);
      else if (status === "connecting") this.view.setStatus(this.words.connecting);
      else this.view.setStatus(this.chatStatus);
    }
  }

  /** The script tag that loaded the widget: where the server is, which widget this is. */
  function configuration(): { server: string; widget: string } {
    const script = (document.currentScript as HTMLScriptElement | null) ??
      document.querySelector<HTMLScriptElement>("script[data-widget][src*='widget.js']");
    const source = script ? new URL(script.src, window.location.href) : new URL(window.location.href);
    return { server: source.origin, widget: script?.dataset.widget ?? "website" };
  }

  const { server, widget } = configuration();
  let instance: Widget | null = null;
  const boot = () => {
    instance = new Widget(server, widget);
    window.dispatchEvent(new CustomEvent("switchboard:ready"));
  };

  (window as unknown as { Switchboard: unknown }).Switchboard = {
    setContextProvider: (provider: ContextProvider) => instance?.setContextProvider(provider),
    setCustomerToken: (token: string) => instance?.setCustomerToken(token),
    signOut: () => instance?.signOut(),
    startProactiveChat: (config?: { message?: string }) => instance?.startProactiveChat(config),
    startChat: () => instance?.openChat(),
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
}
