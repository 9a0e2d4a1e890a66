// The customer side of the Switchboard protocol (docs/protocol.md). The end-to-end tests check
// every frame the widget sends and receives against docs/protocol.schema.json.
namespace SwitchboardWidget {
  export const PROTOCOL_VERSION = 1;
  export const MAX_MESSAGE_CHARS = 1000;
  export const RESERVED = /[<>]/;

  export interface ContextValue {
    value: string;
    isDisplayable: boolean;
  }

  export type Sender =
    | { kind: "customer"; name: string }
    | { kind: "agent"; agent: string; name: string }
    | { kind: "bot"; name: string }
    | { kind: "system" };

  export interface ChatMessage {
    id: number;
    conversation: string;
    from: Sender;
    text: string;
    sent_at: number;
    attachments?: { url: string; content_type?: string }[];
  }

  export type EndedBy = "customer" | "agent" | "system";

  export type CustomerEvent =
    | { type: "started"; conversation: string; token: string; persistent: boolean }
    | { type: "history"; messages: ChatMessage[] }
    | { type: "queued"; position: number; estimated_wait_seconds: number }
    | { type: "agent_joined"; name: string }
    | { type: "message"; message: ChatMessage }
    | { type: "ended"; by: EndedBy };

  export interface ErrorBody {
    code: string;
    message: string;
  }

  export type ServerFrame =
    | { type: "welcome"; protocol: number; resumed: boolean }
    | { type: "event"; seq: number; event: CustomerEvent }
    | { type: "reply"; id: string; outcome: { status: "ok" } | { status: "error"; error: ErrorBody } }
    | { type: "error"; error: ErrorBody };

  export type CustomerCommand =
    | {
        type: "start_chat";
        widget: string;
        name: string;
        email: string | null;
        message: string;
        context: Record<string, ContextValue>;
        customer_token: string | null;
        proactive: boolean;
      }
    | { type: "resume"; widget: string; customer_token: string }
    | { type: "send_message"; text: string }
    | { type: "end" };

  /** Why a message cannot be sent, in the words of `strings`, or null if it can. */
  export function messageProblem(text: string, words: Strings): string | null {
    const length = Array.from(text).length;
    if (text.trim() === "") return words.messageRequired;
    if (length > MAX_MESSAGE_CHARS) return words.tooLong(length - MAX_MESSAGE_CHARS);
    if (RESERVED.test(text)) return words.reserved;
    return null;
  }
}

namespace SwitchboardWidget {
  /** `GET /api/v1/widgets/{id}`: whether and when the widget invites visitors. */
  export interface WidgetSettings {
    proactive: {
      invitation: {
        message: string;
        after_seconds: number;
        url_contains: string | null;
        audience: "all" | "new" | "returning";
      } | null;
      open_now: boolean;
    } | null;
  }
}
