//! The `[[templates]]` tables: message templates agents insert in the composer, each checked as
//! a message that may carry parameters, in every language it is written in.

use std::collections::HashSet;

use switchboard_protocol::QueueId;
use switchboard_protocol::template::{Template, check_with_parameters, language_code};

use super::ConfigProblem;

/// Checks every template against the queues `known`.
pub fn validate(
    templates: &[Template],
    known: impl Fn(&QueueId) -> bool,
) -> Result<(), ConfigProblem> {
    let mut shortcuts = HashSet::new();
    for (i, template) in templates.iter().enumerate() {
        let key = |field: &str| format!("templates[{i}].{field}");
        if template.name.trim().is_empty() {
            return Err(ConfigProblem::new(key("name"), "must not be empty"));
        }
        let shortcut = template.shortcut.to_lowercase();
        if shortcut.is_empty() || shortcut.contains(char::is_whitespace) {
            return Err(ConfigProblem::new(
                key("shortcut"),
                "must be one word, without spaces",
            ));
        }
        if !shortcuts.insert(shortcut) {
            return Err(ConfigProblem::new(
                key("shortcut"),
                format!("“{}” is another template's shortcut", template.shortcut),
            ));
        }
        check_with_parameters(&template.text)
            .map_err(|problem| ConfigProblem::new(key("text"), problem.message))?;
        for (language, text) in &template.translations {
            let at = key(&format!("translations.{language}"));
            if language_code(language).as_deref() != Some(language.as_str()) {
                return Err(ConfigProblem::new(
                    at,
                    "is not a language code such as “cs”",
                ));
            }
            check_with_parameters(text)
                .map_err(|problem| ConfigProblem::new(at, problem.message))?;
        }
        if let Some(queue) = template.queues.iter().find(|queue| !known(queue)) {
            return Err(ConfigProblem::new(
                key("queues"),
                format!("no queue {:?}", queue.0),
            ));
        }
    }
    Ok(())
}
