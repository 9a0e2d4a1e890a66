// What the customer sees: a launcher button and a panel with the pre-chat form, the thread and
// the composer, inside a shadow root so that the host page's styles cannot reach it. Text is only
// ever set with textContent: whatever anyone types is shown as text, never as HTML.
namespace SwitchboardWidget {
  const STYLE = `
    :host { all: initial; }
    * { box-sizing: border-box; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
    .launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; border: 0;
      border-radius: 999px; padding: 14px 20px; background: #1f6feb; color: #fff; font-size: 15px;
      font-weight: 600; box-shadow: 0 6px 20px rgba(0,0,0,.25); cursor: pointer; }
    .launcher:focus-visible, button:focus-visible, textarea:focus-visible, input:focus-visible {
      outline: 3px solid #9ec5ff; outline-offset: 2px; }
    .panel { position: fixed; right: 20px; bottom: 20px; z-index: 2147483001; width: 360px;
      max-width: calc(100vw - 40px); height: 540px; max-height: calc(100vh - 40px); display: flex;
      flex-direction: column; background: #fff; color: #1c2128; border-radius: 14px;
      box-shadow: 0 12px 40px rgba(0,0,0,.3); overflow: hidden; }
    .panel[hidden], .launcher[hidden], [hidden] { display: none !important; }
    header { display: flex; align-items: center; justify-content: space-between; padding: 14px 16px;
      background: #1f6feb; color: #fff; font-weight: 600; font-size: 16px; }
    header button { background: transparent; border: 0; color: #fff; font-size: 20px; cursor: pointer; }
    .status:empty { display: none; }
    .status { padding: 8px 16px; font-size: 13px; color: #57606a; background: #f6f8fa;
      border-bottom: 1px solid #d0d7de; min-height: 33px; }
    form.start { display: flex; flex-direction: column; gap: 10px; padding: 16px; overflow: auto; }
    form.start p { margin: 0 0 4px; color: #57606a; font-size: 14px; }
    label { display: flex; flex-direction: column; gap: 4px; font-size: 13px; color: #57606a; }
    input, textarea { font-size: 14px; padding: 9px 10px; border: 1px solid #d0d7de; border-radius: 8px;
      color: #1c2128; background: #fff; }
    textarea { resize: none; }
    .primary { border: 0; border-radius: 8px; padding: 10px 14px; background: #1f6feb; color: #fff;
      font-size: 14px; font-weight: 600; cursor: pointer; }
    .primary:disabled { background: #8c959f; cursor: default; }
    .problem { color: #cf222e; font-size: 13px; min-height: 16px; }
    .thread { flex: 1; overflow-y: auto; padding: 12px 14px; display: flex; flex-direction: column; gap: 8px; }
    .bubble { max-width: 80%; padding: 8px 12px; border-radius: 14px; font-size: 14px; line-height: 1.4;
      white-space: pre-wrap; overflow-wrap: anywhere; }
    .bubble.customer { align-self: flex-end; background: #1f6feb; color: #fff; border-bottom-right-radius: 4px; }
    .bubble.agent { align-self: flex-start; background: #eaeef2; color: #1c2128; border-bottom-left-radius: 4px; }
    .who { display: block; font-size: 11px; font-weight: 600; opacity: .75; margin-bottom: 2px; }
    .system { align-self: center; font-size: 12px; color: #57606a; text-align: center; }
    .earlier { align-self: center; font-size: 12px; padding: 5px 10px; }
    .received { align-self: flex-end; margin-top: -4px; font-size: 11px; color: #57606a; }
    .typing { padding: 0 2px; font-size: 12px; font-style: italic; color: #57606a; min-height: 18px; }
    .composer { border-top: 1px solid #d0d7de; padding: 10px 12px; display: flex; flex-direction: column; gap: 6px; }
    .composer .row { display: flex; gap: 8px; align-items: flex-end; }
    .composer textarea { flex: 1; height: 44px; }
    .composer .note { margin: 0; font-size: 12px; color: #57606a; }
    .meta { display: flex; justify-content: space-between; font-size: 12px; color: #57606a; }
    .end { background: transparent; border: 0; color: #57606a; font-size: 12px; cursor: pointer;
      text-decoration: underline; padding: 0; }
    .invitation { position: fixed; right: 20px; bottom: 84px; z-index: 2147483000; width: 300px;
      max-width: calc(100vw - 40px); padding: 14px 16px; background: #fff; color: #1c2128;
      border-radius: 14px; box-shadow: 0 8px 28px rgba(0,0,0,.25); font-size: 14px; }
    .invitation p { margin: 0 0 12px; line-height: 1.4; white-space: pre-wrap; overflow-wrap: anywhere; }
    .invitation .choices { display: flex; gap: 8px; justify-content: flex-end; }
    .attach { border: 1px solid #d0d7de; border-radius: 8px; background: #fff; color: #57606a;
      width: 40px; height: 44px; cursor: pointer; flex: none; display: grid; place-items: center; }
    .sending { font-size: 12px; color: #57606a; }
    .sending:empty { display: none; }
    .panel.dropping { outline: 3px dashed #1f6feb; outline-offset: -6px; }
    .files { display: flex; flex-direction: column; gap: 6px; margin-top: 4px; }
    .thumb { display: block; padding: 0; border: 0; background: transparent; cursor: zoom-in;
      border-radius: 8px; overflow: hidden; }
    .thumb img { display: block; max-width: 220px; max-height: 160px; min-width: 48px; min-height: 32px;
      background: rgba(0,0,0,.06); }
    .file { display: flex; align-items: center; gap: 6px; border: 1px solid currentColor; border-radius: 8px;
      padding: 6px 10px; background: transparent; color: inherit; font-size: 13px; text-align: left;
      cursor: pointer; overflow-wrap: anywhere; }
    .file svg { flex: none; }
    .viewer { position: absolute; inset: 0; z-index: 2; display: flex; flex-direction: column;
      background: rgba(20,24,28,.96); }
    .viewer button { align-self: flex-end; margin: 8px; background: transparent; border: 0; color: #fff;
      font-size: 24px; cursor: pointer; }
    .viewer img { flex: 1; min-height: 0; object-fit: contain; width: 100%; }
    .survey { display: flex; flex-direction: column; gap: 8px; padding: 10px 12px; border-top: 1px solid #d0d7de; }
    .survey p { margin: 0; font-weight: 600; }
    .stars { display: flex; gap: 4px; }
    .stars button { border: 0; background: transparent; font-size: 26px; line-height: 1; color: #c4cad1;
      cursor: pointer; padding: 2px; }
    .stars button.lit { color: #d29b00; }
    .survey .thanks { font-weight: 400; }
    .secondary { border: 1px solid #d0d7de; border-radius: 8px; padding: 9px 12px; background: #fff;
      color: #1c2128; font-size: 14px; cursor: pointer; }
  `;

  export function element<K extends keyof HTMLElementTagNameMap>(
    tag: K,
    attributes: Record<string, string> = {},
    text?: string,
  ): HTMLElementTagNameMap[K] {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  export interface ViewActions {
    start(name: string, email: string, message: string): void;
    send(text: string): void;
    /** The customer changed the draft: `empty` when nothing is left in it. */
    drafted(empty: boolean): void;
    end(): void;
    opened(): void;
    /** The customer asks for the messages before the first one shown. */
    earlier(): void;
    /** The customer chose, dropped or pasted files to send. */
    attach(files: File[]): void;
    /** A short-lived address of a file of the conversation; null when it cannot be had. */
    fileUrl(file: FileId): Promise<string | null>;
  }

  /** The visitor's answer to an invitation. */
  export interface InvitationChoices {
    accept(): void;
    dismiss(): void;
  }

  /** A line icon (24×24 strokes), drawn the same whatever fonts the visitor has. */
  function icon(path: string): SVGSVGElement {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    for (const [name, value] of Object.entries({
      viewBox: "0 0 24 24", width: "18", height: "18", fill: "none", stroke: "currentColor",
      "stroke-width": "2", "stroke-linecap": "round", "stroke-linejoin": "round", "aria-hidden": "true",
    })) svg.setAttribute(name, value);
    const line = document.createElementNS("http://www.w3.org/2000/svg", "path");
    line.setAttribute("d", path);
    svg.appendChild(line);
    return svg;
  }
  const PAPERCLIP = "M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48";
  const DOCUMENT = "M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8zM14 2v6h6M16 13H8M16 17H8";

  /** A file's size as people read it. */
  function size(bytes: number): string {
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
    return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  }

  export class View {
    readonly launcher: HTMLButtonElement;
    private readonly panel: HTMLElement;
    private readonly status: HTMLElement;
    private readonly startForm: HTMLFormElement;
    private readonly startProblem: HTMLElement;
    private readonly thread: HTMLElement;
    private readonly typingLine: HTMLElement;
    /** The one "Delivered" line, under the customer's latest message an agent has. */
    private readonly receivedMark: HTMLElement;
    private typingTimer: number | undefined;
    private readonly earlierButton: HTMLButtonElement;
    /** The id of the first message in the thread, while earlier ones may exist. */
    private firstMessage: number | null = null;
    private readonly composer: HTMLElement;
    private readonly paymentNote: HTMLElement;
    private readonly input: HTMLTextAreaElement;
    private readonly counter: HTMLElement;
    private readonly problem: HTMLElement;
    private readonly sendButton: HTMLButtonElement;
    private readonly sending: HTMLElement;
    private readonly endButton: HTMLButtonElement;
    private readonly root: ShadowRoot;
    private invitation: HTMLElement | null = null;

    constructor(
      host: HTMLElement,
      private readonly words: Strings,
      private readonly actions: ViewActions,
    ) {
      const root = host.attachShadow({ mode: "open" });
      this.root = root;
      root.appendChild(element("style", {}, STYLE));

      this.launcher = element("button", { class: "launcher", type: "button", part: "launcher" }, words.open);
      this.panel = element("section", { class: "panel", role: "dialog", "aria-label": words.title });
      this.panel.hidden = true;

      const header = element("header", {}, words.title);
      const close = element("button", { type: "button", "aria-label": words.close }, "×");
      header.appendChild(close);
      this.status = element("div", { class: "status", role: "status", "aria-live": "polite" });

      this.startForm = element("form", { class: "start" });
      const name = element("input", { name: "name", autocomplete: "name", required: "", maxlength: String(MAX_CUSTOMER_NAME_CHARS) });
      const email = element("input", { name: "email", type: "email", autocomplete: "email" });
      const first = element("textarea", { name: "message", rows: "4" });
      this.startProblem = element("div", { class: "problem", role: "alert" });
      const labelled = (text: string, field: HTMLElement) => {
        const label = element("label", {}, text);
        label.appendChild(field);
        return label;
      };
      this.startForm.append(
        element("p", {}, words.intro),
        labelled(words.name, name),
        labelled(`${words.email} (${words.optional})`, email),
        labelled(words.firstMessage, first),
        this.startProblem,
        element("button", { class: "primary", type: "submit" }, words.start),
      );

      this.thread = element("div", { class: "thread", role: "log", "aria-live": "polite" });
      this.typingLine = element("div", { class: "typing", "aria-live": "polite" });
      this.receivedMark = element("div", { class: "received" });
      this.earlierButton = element("button", { class: "secondary earlier", type: "button" }, words.earlier);
      this.earlierButton.addEventListener("click", () => {
        this.earlierButton.disabled = true;
        actions.earlier();
      });
      this.composer = element("div", { class: "composer" });
      this.input = element("textarea", { "aria-label": words.placeholder, placeholder: words.placeholder });
      this.sendButton = element("button", { class: "primary", type: "button" }, words.send);
      const picker = element("input", { type: "file", multiple: "", hidden: "" });
      const attach = element("button", { class: "attach", type: "button", "aria-label": words.attach, title: words.attach });
      attach.appendChild(icon(PAPERCLIP));
      attach.addEventListener("click", () => picker.click());
      picker.addEventListener("change", () => {
        actions.attach(Array.from(picker.files ?? []));
        picker.value = "";
      });
      this.sending = element("div", { class: "sending", role: "status" });
      const row = element("div", { class: "row" });
      row.append(attach, picker, this.input, this.sendButton);
      this.counter = element("span", { class: "counter" });
      this.endButton = element("button", { class: "end", type: "button" }, words.end);
      const meta = element("div", { class: "meta" });
      meta.append(this.counter, this.endButton);
      this.problem = element("div", { class: "problem", role: "alert" });
      this.paymentNote = element("p", { class: "note" }, words.paymentDataHidden);
      this.paymentNote.hidden = true;
      this.composer.append(this.typingLine, row, this.sending, this.problem, meta, this.paymentNote);

      this.panel.append(header, this.status, this.startForm, this.thread, this.composer);
      root.append(this.launcher, this.panel);
      this.showStart(true);

      this.launcher.addEventListener("click", () => {
        this.open();
        actions.opened();
      });
      close.addEventListener("click", () => {
        this.panel.hidden = true;
        this.launcher.hidden = false;
      });
      this.startForm.addEventListener("submit", (event) => {
        event.preventDefault();
        const problem = name.value.trim() === "" ? words.nameRequired : messageProblem(first.value, words);
        this.startProblem.textContent = problem ?? "";
        if (!problem) actions.start(name.value.trim(), email.value.trim(), first.value);
      });
      const send = () => {
        const problem = messageProblem(this.input.value, words);
        this.problem.textContent = problem ?? "";
        if (problem) return;
        actions.send(this.input.value);
        this.input.value = "";
        actions.drafted(true);
        this.updateCounter();
      };
      this.input.addEventListener("input", () => {
        this.updateCounter();
        actions.drafted(this.input.value.trim() === "");
      });
      this.input.addEventListener("blur", () => actions.drafted(true));
      this.input.addEventListener("paste", (event) => {
        const files = Array.from(event.clipboardData?.files ?? []);
        if (files.length === 0) return;
        event.preventDefault();
        actions.attach(files);
      });
      // Files dropped anywhere on the open chat are sent.
      this.panel.addEventListener("dragover", (event) => {
        if (this.composer.hidden || !event.dataTransfer?.types.includes("Files")) return;
        event.preventDefault();
        this.panel.classList.add("dropping");
      });
      this.panel.addEventListener("dragleave", () => this.panel.classList.remove("dropping"));
      this.panel.addEventListener("drop", (event) => {
        this.panel.classList.remove("dropping");
        if (this.composer.hidden) return;
        event.preventDefault();
        actions.attach(Array.from(event.dataTransfer?.files ?? []));
      });
      this.input.addEventListener("keydown", (event) => {
        // Enter sends; Shift+Enter starts a new line.
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          send();
        }
      });
      this.sendButton.addEventListener("click", send);
      this.endButton.addEventListener("click", () => actions.end());
      this.updateCounter();
    }

    open(): void {
      this.hideInvitation();
      this.panel.hidden = false;
      this.launcher.hidden = true;
    }

    get isOpen(): boolean {
      return !this.panel.hidden;
    }

    /** Invites the visitor to chat with `message`, next to the launcher. */
    showInvitation(message: string, choices: InvitationChoices): void {
      this.hideInvitation();
      const card = element("section", { class: "invitation", role: "dialog", "aria-label": this.words.invitation });
      const accept = element("button", { class: "primary", type: "button" }, this.words.invitationAccept);
      const dismiss = element("button", { class: "secondary", type: "button" }, this.words.invitationDismiss);
      accept.addEventListener("click", () => choices.accept());
      dismiss.addEventListener("click", () => choices.dismiss());
      const buttons = element("div", { class: "choices" });
      buttons.append(dismiss, accept);
      card.append(element("p", {}, message), buttons);
      this.root.appendChild(card);
      this.invitation = card;
    }

    hideInvitation(): void {
      this.invitation?.remove();
      this.invitation = null;
    }

    showStart(visible: boolean): void {
      this.startForm.hidden = !visible;
      this.thread.hidden = visible;
      this.composer.hidden = visible;
    }

    setStatus(text: string): void {
      this.status.textContent = text;
    }

    setStartProblem(text: string): void {
      this.startProblem.textContent = text;
    }

    setProblem(text: string): void {
      this.problem.textContent = text;
    }

    /** A persistent conversation: it lasts across visits, and only the agent ends it. */
    setPersistent(): void {
      this.endButton.hidden = true;
    }

    /** The conversation's latest page, drawn afresh; its first message's id says whether there
     * are earlier ones. */
    showHistory(messages: ChatMessage[]): void {
      this.thread.replaceChildren();
      for (const message of messages) this.addMessage(message);
      this.offerEarlier(messages[0]?.id ?? null);
    }

    /** The id of the first message shown, to ask for the ones before it; none at the start. */
    get earlierThan(): number | null {
      return this.firstMessage;
    }

    /** An earlier page, put above what is shown, keeping the reader's place. */
    prependMessages(messages: ChatMessage[]): void {
      const before = this.thread.scrollHeight;
      const first = this.earlierButton.nextSibling;
      for (const message of messages) this.thread.insertBefore(this.messageNode(message), first);
      this.thread.scrollTop += this.thread.scrollHeight - before;
      this.offerEarlier(messages.length > 0 ? messages[0].id : null);
    }

    private offerEarlier(first: number | null): void {
      this.firstMessage = first !== null && first > 1 ? first : null;
      this.earlierButton.disabled = false;
      if (this.firstMessage === null) this.earlierButton.remove();
      else this.thread.prepend(this.earlierButton);
    }

    /** Back to a closed widget with an empty thread and the start form: nothing of the last
     * conversation stays on the page. */
    reset(): void {
      this.thread.replaceChildren();
      this.firstMessage = null;
      this.setStatus("");
      this.setProblem("");
      this.setStartProblem("");
      this.composer.hidden = false;
      this.endButton.hidden = false;
      this.showStart(true);
      this.panel.hidden = true;
      this.launcher.hidden = false;
    }

    /** "Sending 2 files…" while files go up; nothing at 0. */
    showSending(count: number): void {
      this.sending.textContent = count > 0 ? this.words.sendingFiles(count) : "";
    }

    /** Says that card and account numbers are hidden as they are sent. */
    showPaymentDataNote(): void {
      this.paymentNote.hidden = false;
    }

    /** The chat is over: the composer goes, the thread stays. */
    ended(): void {
      this.composer.hidden = true;
    }

    /** Asks "How did we do?" under the thread of the ended chat. */
    askSurvey(survey: Survey): void {
      this.panel.appendChild(survey.node);
    }

    /** "Ann is typing…" under the thread, until `text` is null or it is not refreshed in time. */
    showTyping(text: string | null): void {
      window.clearTimeout(this.typingTimer);
      this.typingLine.textContent = text ?? "";
      if (text !== null) {
        this.typingTimer = window.setTimeout(() => this.showTyping(null), TYPING_SHOWN_MILLIS);
      }
    }

    addMessage(message: ChatMessage): void {
      if (message.from.kind !== "customer") this.showTyping(null);
      this.thread.appendChild(this.messageNode(message));
      this.thread.scrollTop = this.thread.scrollHeight;
    }

    addSystemLine(text: string): void {
      this.thread.appendChild(element("div", { class: "system" }, text));
      this.thread.scrollTop = this.thread.scrollHeight;
    }

    /** "Delivered" under the customer's latest message up to `upTo`: it reached an agent. */
    markReceived(upTo: number): void {
      const bubbles = Array.from(this.thread.querySelectorAll<HTMLElement>(".bubble.customer[data-id]"));
      const latest = bubbles.filter((bubble) => Number(bubble.dataset.id) <= upTo).pop();
      if (!latest) return;
      this.receivedMark.textContent = this.words.delivered;
      latest.after(this.receivedMark);
    }

    private messageNode(message: ChatMessage): HTMLElement {
      if (message.from.kind === "system") return element("div", { class: "system" }, message.text);
      // The bot speaks for the contact center, as agents do: on their side, named.
      const side = message.from.kind === "customer" ? "customer" : "agent";
      const bubble = element("div", { class: `bubble ${side}`, "data-id": String(message.id) });
      if (message.from.kind !== "customer") bubble.appendChild(element("span", { class: "who" }, message.from.name));
      bubble.appendChild(document.createTextNode(message.text));
      const files = (message.attachments ?? []).flatMap((attachment) => (attachment.file ? [attachment.file] : []));
      if (files.length > 0) {
        const list = element("div", { class: "files" });
        for (const file of files) list.appendChild(this.fileNode(file));
        bubble.appendChild(list);
      }
      return bubble;
    }

    /** A picture as a thumbnail that opens larger; any other file as a button that downloads it.
     *  Files are only ever images or downloads: nothing sent is shown as a page. */
    private fileNode(file: StoredFile): HTMLElement {
      if (file.content_type.startsWith("image/")) {
        const button = element("button", { class: "thumb", type: "button", "aria-label": this.words.openImage(file.name) });
        const image = element("img", { alt: file.name });
        button.appendChild(image);
        // A picture arriving at the bottom keeps the thread's end in view as it loads.
        image.addEventListener("load", () => {
          const thread = this.thread;
          if (thread.scrollHeight - thread.scrollTop - thread.clientHeight < image.height + 80) {
            thread.scrollTop = thread.scrollHeight;
          }
        });
        void this.actions.fileUrl(file.id).then((url) => {
          if (url) image.src = url;
        });
        button.addEventListener("click", () => void this.openImage(file));
        return button;
      }
      const button = element("button", { class: "file", type: "button", "aria-label": this.words.download(file.name) });
      button.append(icon(DOCUMENT), ` ${file.name} · ${size(file.size)}`);
      button.addEventListener("click", async () => {
        const url = await this.actions.fileUrl(file.id);
        if (url) window.open(url, "_blank", "noopener");
      });
      return button;
    }

    /** The picture over the chat, as large as it fits; closed by its button or Escape. */
    private async openImage(file: StoredFile): Promise<void> {
      const url = await this.actions.fileUrl(file.id);
      if (!url) return;
      const viewer = element("div", { class: "viewer", role: "dialog", "aria-label": file.name });
      const close = element("button", { type: "button", "aria-label": this.words.close }, "×");
      const image = element("img", { alt: file.name, src: url });
      viewer.append(close, image);
      const shut = () => viewer.remove();
      close.addEventListener("click", shut);
      viewer.addEventListener("keydown", (event) => {
        if (event.key === "Escape") shut();
      });
      this.panel.appendChild(viewer);
      close.focus();
    }

    private updateCounter(): void {
      const left = MAX_MESSAGE_CHARS - Array.from(this.input.value).length;
      this.counter.textContent = left >= 0 ? this.words.remaining(left) : this.words.tooLong(-left);
      this.sendButton.disabled = left < 0;
    }
  }
}
