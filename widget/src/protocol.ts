// The customer side of the Switchboard protocol (docs/protocol.md): its types and limits are
// generated from the server's (`contract.ts`). The end-to-end tests check every frame the widget
// sends and receives against docs/protocol.schema.json.
namespace SwitchboardWidget {
  export const PROTOCOL_VERSION = 1;

  /** Why a message cannot be sent, in the words of `strings`, or null if it can. */
  export function messageProblem(text: string, words: Strings): string | null {
    const length = Array.from(text).length;
    if (text.trim() === "") return words.messageRequired;
    if (length > MAX_MESSAGE_CHARS) return words.tooLong(length - MAX_MESSAGE_CHARS);
    if (Array.from(RESERVED_CHARACTERS).some((reserved) => text.includes(reserved))) return words.reserved;
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
    /** Card and account numbers are masked as messages are accepted: the widget says so. */
    hides_payment_data: boolean;
    /** Whether to ask the customer to rate a chat once it has ended. */
    survey: boolean;
  }
}
