//! Message templates (canned responses): text with replaceable parameters written `<name>` —
//! the reason `<` and `>` are reserved in messages. An agent's message may carry the parameters
//! the server fills from the conversation ([`Parameter`]); any other `<` or `>` is refused.

use std::collections::BTreeMap;
use std::ops::Range;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::rules;
use crate::{ErrorBody, ErrorCode, QueueId};

/// A template as the administrator defined it, sent to desktops with the profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub name: String,
    /// Typed after `/` in the composer to find it at once.
    pub shortcut: String,
    /// The text in the default language.
    pub text: String,
    /// The text in other languages, by language code (`cs`): the customer's language first.
    #[serde(default)]
    pub translations: BTreeMap<String, String>,
    /// The queues whose conversations offer it; none: every queue.
    #[serde(default)]
    pub queues: Vec<QueueId>,
}

impl Template {
    /// The text for a customer speaking `language`, or the default.
    pub fn text_for(&self, language: Option<&str>) -> &str {
        language
            .and_then(|language| self.translations.get(language))
            .unwrap_or(&self.text)
    }

    /// Whether a conversation in `queue` offers it.
    pub fn offered_in(&self, queue: &QueueId) -> bool {
        self.queues.is_empty() || self.queues.contains(queue)
    }
}

/// The language code templates are chosen by, from a browser's language tag (`cs-CZ` → `cs`);
/// `None` for anything that is not one.
pub fn language_code(tag: &str) -> Option<String> {
    let primary = tag.split(['-', '_']).next()?;
    ((2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic()))
        .then(|| primary.to_ascii_lowercase())
}

/// What a parameter names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parameter {
    CustomerName,
    CustomerFirstName,
    CustomerEmail,
    CustomerPhone,
    AgentName,
    QueueName,
    /// A context variable the page passed, by its name.
    Context(String),
}

impl Parameter {
    /// The parameter a name inside `<` `>` stands for.
    pub fn parse(name: &str) -> Option<Parameter> {
        Some(match name {
            "customer.name" => Parameter::CustomerName,
            "customer.first_name" => Parameter::CustomerFirstName,
            "customer.email" => Parameter::CustomerEmail,
            "customer.phone" => Parameter::CustomerPhone,
            "agent.name" => Parameter::AgentName,
            "queue.name" => Parameter::QueueName,
            _ => {
                let context = name.strip_prefix("context.")?;
                if context.trim().is_empty() {
                    return None;
                }
                Parameter::Context(context.to_owned())
            }
        })
    }

    /// Contact details are always filled by the server, so that a desktop never holds them.
    pub fn always_filled_by_server(&self) -> bool {
        matches!(self, Parameter::CustomerEmail | Parameter::CustomerPhone)
    }
}

/// The longest parameter name, to tell a parameter from text that happens to hold `<` and `>`.
const MAX_PARAMETER_CHARS: usize = 100;

/// The parameters `<name>` in `text`, with the byte range of each (brackets included).
pub fn parameters(text: &str) -> Vec<(Range<usize>, &str)> {
    let mut found = Vec::new();
    let mut rest = 0;
    while let Some(open) = text[rest..].find('<').map(|at| rest + at) {
        let Some(close) = text[open + 1..].find(['<', '>']).map(|at| open + 1 + at) else {
            break;
        };
        if text[close..].starts_with('>') {
            let name = &text[open + 1..close];
            if !name.is_empty()
                && name.chars().count() <= MAX_PARAMETER_CHARS
                && !name.contains('\n')
            {
                found.push((open..close + 1, name));
            }
            rest = close + 1;
        } else {
            rest = close;
        }
    }
    found
}

/// Checks an agent's message that carries `files` and may carry parameters: at most
/// [`rules::MAX_FILES_PER_MESSAGE`] files, and its text as [`check_with_parameters`] does, which
/// may then be empty.
pub fn check_with_files(text: &str, files: usize) -> Result<(), ErrorBody> {
    rules::check_file_count(files)?;
    if files > 0 && text.trim().is_empty() {
        return Ok(());
    }
    check_with_parameters(text)
}

/// Checks an agent's draft that may carry parameters: the message rules, each parameter counted
/// as one character (the server checks the length again once they are filled), except that
/// `<name>` is allowed where `name` is a [`Parameter`]; any other `<` or `>` is refused.
pub fn check_with_parameters(text: &str) -> Result<(), ErrorBody> {
    let mut plain = String::with_capacity(text.len());
    let mut at = 0;
    for (range, name) in parameters(text) {
        if Parameter::parse(name).is_none() {
            return Err(ErrorBody::new(
                ErrorCode::ReservedCharacters,
                format!(
                    "<{name}> is not a template parameter: the characters < and > only mark \
                     parameters in a message."
                ),
            ));
        }
        plain.push_str(&text[at..range.start]);
        plain.push('x');
        at = range.end;
    }
    plain.push_str(&text[at..]);
    rules::check_message(&plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_found_with_their_places() {
        let text = "Hi <customer.first_name>, 2 < 3 and <context.Order number>!";
        let names: Vec<&str> = parameters(text).into_iter().map(|(_, name)| name).collect();
        assert_eq!(names, ["customer.first_name", "context.Order number"]);
        let (range, _) = &parameters(text)[0];
        assert_eq!(&text[range.clone()], "<customer.first_name>");
        assert_eq!(parameters("a <> b"), []);
        assert_eq!(parameters("<a\nb>"), []);
    }

    #[test]
    fn known_parameters_pass_and_anything_else_in_brackets_is_refused() {
        assert_eq!(check_with_parameters("Call <customer.phone>?"), Ok(()));
        assert_eq!(check_with_parameters("<context.Plan>"), Ok(()));
        let unknown = check_with_parameters("Hi <b>bold</b>").unwrap_err();
        assert_eq!(unknown.code, ErrorCode::ReservedCharacters);
        assert!(unknown.message.contains("<b>"), "{}", unknown.message);
        let stray = check_with_parameters("2 > 1 for <agent.name>").unwrap_err();
        assert_eq!(stray.code, ErrorCode::ReservedCharacters);
        assert_eq!(
            check_with_parameters("  ").unwrap_err().code,
            ErrorCode::EmptyMessage
        );
        assert_eq!(Parameter::parse("context."), None);
        assert_eq!(
            Parameter::parse("context.Order number"),
            Some(Parameter::Context("Order number".into()))
        );
    }

    #[test]
    fn language_codes_come_from_browser_tags() {
        assert_eq!(language_code("cs-CZ"), Some("cs".into()));
        assert_eq!(language_code("FR"), Some("fr".into()));
        assert_eq!(language_code("x"), None);
        assert_eq!(language_code("<script>"), None);
    }

    #[test]
    fn the_customers_language_comes_first() {
        let template = Template {
            name: "Greeting".into(),
            shortcut: "hi".into(),
            text: "Hello".into(),
            translations: [("cs".to_owned(), "Dobrý den".to_owned())].into(),
            queues: vec!["billing".into()],
        };
        assert_eq!(template.text_for(Some("cs")), "Dobrý den");
        assert_eq!(template.text_for(Some("pl")), "Hello");
        assert_eq!(template.text_for(None), "Hello");
        assert!(template.offered_in(&"billing".into()));
        assert!(!template.offered_in(&"general".into()));
    }
}
