//! Message templates in the composer: those a conversation offers, found by name, shortcut or
//! text; one inserted with what this desktop may show written in, and the rest left as
//! parameters the server fills as the message is sent (contact details, anything masking would
//! hide, context the page did not let agents see) — so the agent never sees those values.

use serde::Serialize;
use switchboard_protocol::agent::{AgentSummary, ConversationSnapshot};
use switchboard_protocol::template::{self, Parameter, Template};
use switchboard_protocol::{Channel, ConversationId};
use ts_rs::TS;

use crate::model::Model;
use crate::pickers;
use crate::redact::Redactor;

/// A template as the composer's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TemplateChoice {
    pub shortcut: String,
    pub name: String,
    /// The text in the customer's language, its parameters as written.
    pub text: String,
}

/// A parameter the composer may hold, and what it becomes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ParameterView {
    /// As written between `<` and `>`: `customer.first_name`.
    pub name: String,
    /// The value as it may be shown (masked, or `•••` where the agent may not see it); `None`:
    /// the conversation has none, and the agent must write one in before sending.
    pub shown: Option<String>,
}

/// Shown for a value the server fills but this desktop may not show.
const HIDDEN: &str = "•••";

/// A parameter's value in a conversation: the raw value, if there is one; whether the agent may
/// see it (masked as anything else); and whether this desktop may write it into the draft
/// (otherwise the server fills it).
struct Value {
    raw: Option<String>,
    visible: bool,
    desk_fills: bool,
}

fn value(
    parameter: &Parameter,
    snapshot: &ConversationSnapshot,
    me: &AgentSummary,
    redactor: &Redactor,
) -> Value {
    let customer = &snapshot.customer;
    let (raw, visible) = match parameter {
        Parameter::CustomerName => (Some(customer.name.clone()), true),
        Parameter::CustomerFirstName => (
            customer.name.split_whitespace().next().map(str::to_owned),
            true,
        ),
        Parameter::CustomerEmail => (customer.email.clone(), true),
        // An SMS customer's number is the conversation's address, which the server holds.
        Parameter::CustomerPhone if snapshot.channel == Channel::Sms => {
            (Some(HIDDEN.to_owned()), false)
        }
        Parameter::CustomerPhone => (customer.phone.clone(), true),
        Parameter::AgentName => (Some(me.name.clone()), true),
        Parameter::QueueName => (Some(snapshot.queue.name.clone()), true),
        Parameter::Context(name) => match snapshot.context.iter().find(|v| v.name == *name) {
            Some(variable) => (
                Some(variable.value.value.clone()),
                variable.value.displayable,
            ),
            None => (None, false),
        },
    };
    let desk_fills = visible
        && !parameter.always_filled_by_server()
        && raw.as_deref().is_some_and(|raw| redactor.text(raw) == raw);
    Value {
        raw,
        visible,
        desk_fills,
    }
}

impl Model {
    /// The templates conversation `id` offers that match `search`.
    pub(crate) fn templates(&self, id: &ConversationId, search: &str) -> Vec<TemplateChoice> {
        self.held(id).map_or_else(Vec::new, |(snapshot, _)| {
            choices(&self.profile().templates, snapshot, search)
        })
    }

    /// The template with `shortcut`, as inserted into conversation `id`'s composer.
    pub(crate) fn insert_template(&self, id: &ConversationId, shortcut: &str) -> Option<String> {
        let (snapshot, _) = self.held(id)?;
        let template = self
            .profile()
            .templates
            .iter()
            .find(|template| template.shortcut == shortcut)?;
        Some(insert(template, snapshot, self.agent(), &self.redactor()))
    }
}

/// Every parameter the conversation knows, as the composer shows it.
pub(crate) fn parameters(
    snapshot: &ConversationSnapshot,
    me: &AgentSummary,
    redactor: &Redactor,
) -> Vec<ParameterView> {
    let fixed = [
        "customer.first_name",
        "customer.name",
        "customer.email",
        "customer.phone",
        "agent.name",
        "queue.name",
    ]
    .map(str::to_owned);
    let context = snapshot
        .context
        .iter()
        .map(|variable| format!("context.{}", variable.name));
    fixed
        .into_iter()
        .chain(context)
        .map(|name| {
            let parameter = Parameter::parse(&name).expect("a known parameter");
            let value = value(&parameter, snapshot, me, redactor);
            let shown = value.raw.map(|raw| match value.visible {
                true => redactor.owned(&raw),
                false => HIDDEN.to_owned(),
            });
            ParameterView { name, shown }
        })
        .collect()
}

/// The templates the conversation offers that match `search`, by shortcut, name or text.
pub(crate) fn choices(
    templates: &[Template],
    snapshot: &ConversationSnapshot,
    search: &str,
) -> Vec<TemplateChoice> {
    let search = search.trim();
    templates
        .iter()
        .filter(|template| template.offered_in(&snapshot.queue.id))
        .map(|template| TemplateChoice {
            shortcut: template.shortcut.clone(),
            name: template.name.clone(),
            text: template.text_for(snapshot.language.as_deref()).to_owned(),
        })
        .filter(|choice| {
            search.is_empty()
                || pickers::matches(&choice.shortcut, search)
                || pickers::matches(&choice.name, search)
                || pickers::matches(&choice.text, search)
        })
        .collect()
}

/// `template`'s text for the conversation, with what this desktop may write in written in.
pub(crate) fn insert(
    template: &Template,
    snapshot: &ConversationSnapshot,
    me: &AgentSummary,
    redactor: &Redactor,
) -> String {
    let text = template.text_for(snapshot.language.as_deref());
    let mut filled = String::with_capacity(text.len());
    let mut at = 0;
    for (range, name) in template::parameters(text) {
        let written = Parameter::parse(name)
            .map(|parameter| value(&parameter, snapshot, me, redactor))
            .filter(|value| value.desk_fills)
            .and_then(|value| value.raw);
        filled.push_str(&text[at..range.start]);
        match written {
            Some(value) => filled.push_str(&value),
            None => filled.push_str(&text[range.clone()]),
        }
        at = range.end;
    }
    filled.push_str(&text[at..]);
    filled
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_protocol::agent::{
        Customer, InteractionState, NamedContextValue, QueueSummary,
    };
    use switchboard_protocol::{ContextValue, QueueId};

    fn snapshot(name: &str, language: Option<&str>) -> ConversationSnapshot {
        let variable = |name: &str, value: &str, displayable| NamedContextValue {
            name: name.into(),
            value: ContextValue {
                value: value.into(),
                displayable,
            },
        };
        ConversationSnapshot {
            id: "c1".into(),
            channel: Channel::Chat,
            queue: QueueSummary {
                id: "billing".into(),
                name: "Billing".into(),
                escalation: false,
            },
            customer: Customer {
                name: name.into(),
                email: None,
                phone: Some("+420601123456".into()),
            },
            state: InteractionState::Active,
            proactive: false,
            persistent: false,
            started_at: 0,
            accepted_at: Some(1),
            history: Vec::new(),
            context: vec![
                variable("Order number", "A-1042", true),
                variable("Segment", "gold", false),
            ],
            contact: None,
            receipts: Default::default(),
            language: language.map(str::to_owned),
        }
    }

    fn ann() -> AgentSummary {
        AgentSummary {
            id: "ann".into(),
            name: "Ann".into(),
            email: "ann@example.com".into(),
            role: Default::default(),
        }
    }

    fn template(shortcut: &str, text: &str, queues: &[&str]) -> Template {
        Template {
            name: format!("Reply {shortcut}"),
            shortcut: shortcut.into(),
            text: text.into(),
            translations: [("cs".to_owned(), format!("{text} (cs)"))].into(),
            queues: queues.iter().map(|queue| QueueId::from(*queue)).collect(),
        }
    }

    #[test]
    fn what_the_desktop_may_show_is_written_in_and_the_rest_left_to_the_server() {
        let masking = Redactor::new(true);
        let greeting = template(
            "hi",
            "Hello <customer.first_name>, <agent.name> here about <context.Order number>; we \
             call <customer.phone> for <context.Segment> at <customer.email>.",
            &[],
        );
        assert_eq!(
            insert(&greeting, &snapshot("Zoë Nováková", None), &ann(), &masking),
            "Hello Zoë, Ann here about A-1042; we call <customer.phone> for <context.Segment> \
             at <customer.email>."
        );
        // A name masking would hide (an SMS customer known by their number) stays a parameter.
        let by_number = snapshot("+420601123456", None);
        assert!(
            insert(&greeting, &by_number, &ann(), &masking)
                .starts_with("Hello <customer.first_name>,")
        );
        let shown = parameters(&by_number, &ann(), &masking);
        let shown = |name: &str| shown.iter().find(|p| p.name == name).unwrap().shown.clone();
        assert_eq!(
            shown("customer.email"),
            None,
            "no e-mail: the agent must write one"
        );
        assert_eq!(shown("customer.phone").as_deref(), Some("*********3456"));
        assert_eq!(shown("context.Segment").as_deref(), Some(HIDDEN));
        assert_eq!(shown("context.Order number").as_deref(), Some("A-1042"));
    }

    #[test]
    fn the_list_offers_the_queues_templates_in_the_customers_language_found_any_way() {
        let templates = [
            template("refund", "Your refund is on its way", &["billing"]),
            template("hours", "We are open from 8 to 17", &["general"]),
            template("thanks", "Díky za trpělivost", &[]),
        ];
        let shortcuts = |search: &str, language| -> Vec<String> {
            choices(&templates, &snapshot("Zoë", language), search)
                .into_iter()
                .map(|choice| choice.shortcut)
                .collect()
        };
        assert_eq!(
            shortcuts("", None),
            ["refund", "thanks"],
            "not another queue's"
        );
        assert_eq!(shortcuts("REF", None), ["refund"]);
        assert_eq!(
            shortcuts("trpel", None),
            ["thanks"],
            "without accents, by its text"
        );
        let czech = choices(&templates, &snapshot("Zoë", Some("cs")), "refund");
        assert_eq!(czech[0].text, "Your refund is on its way (cs)");
    }
}
