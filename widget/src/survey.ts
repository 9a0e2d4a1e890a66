// "How did we do?" once a chat has ended, when the widget's settings ask: 1 to 5 stars and an
// optional comment, sent once; then thanks.
namespace SwitchboardWidget {
  export class Survey {
    readonly node: HTMLFormElement;
    private rating = 0;
    private readonly stars: HTMLButtonElement[];
    private readonly comment: HTMLTextAreaElement;
    private readonly sendButton: HTMLButtonElement;
    private readonly problem: HTMLElement;

    constructor(
      private readonly words: Strings,
      rate: (rating: number, comment: string) => void,
    ) {
      this.node = element("form", { class: "survey", "aria-label": words.surveyTitle });
      const group = element("div", { class: "stars", role: "radiogroup", "aria-label": words.surveyRating });
      this.stars = [1, 2, 3, 4, 5].map((value) => {
        const star = element("button", {
          type: "button",
          role: "radio",
          "aria-checked": "false",
          "aria-label": words.stars(value),
        }, "★");
        star.addEventListener("click", () => this.choose(value));
        group.appendChild(star);
        return star;
      });
      this.comment = element("textarea", { rows: "2", maxlength: String(MAX_SURVEY_COMMENT_CHARS) });
      const label = element("label", {}, `${words.surveyComment} (${words.optional})`);
      label.appendChild(this.comment);
      this.sendButton = element("button", { class: "primary", type: "submit", disabled: "" }, words.surveySend);
      this.problem = element("div", { class: "problem", role: "alert" });
      this.node.append(element("p", {}, words.surveyTitle), group, label, this.problem, this.sendButton);
      this.node.addEventListener("submit", (event) => {
        event.preventDefault();
        if (this.rating === 0) return;
        this.sendButton.disabled = true;
        rate(this.rating, this.comment.value.trim());
      });
    }

    private choose(value: number): void {
      this.rating = value;
      this.stars.forEach((star, index) => {
        star.setAttribute("aria-checked", String(index + 1 === value));
        star.classList.toggle("lit", index < value);
      });
      this.sendButton.disabled = false;
    }

    /** The answer was taken: the form gives way to thanks. */
    thanked(): void {
      this.node.replaceChildren(element("p", { class: "thanks", role: "status" }, this.words.surveyThanks));
    }

    /** The answer was refused, saying why; the customer may try again. */
    refused(message: string): void {
      this.problem.textContent = message;
      this.sendButton.disabled = this.rating === 0;
    }
  }
}
