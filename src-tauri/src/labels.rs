//! The words of the tray menu and OS notifications, from the same language files as the window
//! (`ui/src/lib/i18n/*.json`), in the agent's chosen language or the OS's.

use std::collections::HashMap;

const LANGUAGES: [(&str, &str); 5] = [
    ("en", include_str!("../../ui/src/lib/i18n/en.json")),
    ("cs", include_str!("../../ui/src/lib/i18n/cs.json")),
    ("da", include_str!("../../ui/src/lib/i18n/da.json")),
    ("fr", include_str!("../../ui/src/lib/i18n/fr.json")),
    ("pl", include_str!("../../ui/src/lib/i18n/pl.json")),
];

#[derive(Debug, Clone)]
pub(crate) struct Labels {
    messages: HashMap<String, String>,
    english: HashMap<String, String>,
}

fn parse(json: &str) -> HashMap<String, String> {
    serde_json::from_str(json).expect("the language files are JSON objects of strings")
}

/// The language of the OS session: the first of `LANGUAGE`, `LC_ALL`, `LC_MESSAGES`, `LANG`
/// that names one the app speaks.
pub(crate) fn os_language() -> String {
    let candidates = ["LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .filter_map(|name| std::env::var(name).ok())
        .flat_map(|value| {
            value
                .split(':')
                .map(|tag| {
                    tag.split(['_', '.', '-'])
                        .next()
                        .unwrap_or("")
                        .to_lowercase()
                })
                .collect::<Vec<_>>()
        });
    for tag in candidates {
        if LANGUAGES.iter().any(|(code, _)| *code == tag) {
            return tag;
        }
    }
    "en".to_owned()
}

impl Labels {
    /// `language` as the agent chose it; `None` follows the OS.
    pub(crate) fn new(language: Option<&str>) -> Labels {
        let chosen = language.map_or_else(os_language, str::to_owned);
        let json = LANGUAGES
            .iter()
            .find(|(code, _)| *code == chosen)
            .map_or(LANGUAGES[0].1, |(_, json)| json);
        Labels {
            messages: parse(json),
            english: parse(LANGUAGES[0].1),
        }
    }

    /// The text for `key` with `{name}` placeholders filled.
    pub(crate) fn get(&self, key: &str, params: &[(&str, &str)]) -> String {
        let template = self
            .messages
            .get(key)
            .or_else(|| self.english.get(key))
            .map_or(key, String::as_str);
        params
            .iter()
            .fold(template.to_owned(), |text, (name, value)| {
                text.replace(&format!("{{{name}}}"), value)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_covers_every_english_key() {
        let english = parse(LANGUAGES[0].1);
        for (code, json) in &LANGUAGES[1..] {
            let messages = parse(json);
            for key in english.keys() {
                assert!(messages.contains_key(key), "{code} lacks {key}");
            }
        }
    }

    #[test]
    fn labels_fill_parameters_in_the_chosen_language() {
        let labels = Labels::new(Some("cs"));
        assert_eq!(labels.get("alert.accept", &[]), "Přijmout");
        assert_eq!(
            labels.get("presence.idle_reason", &[("reason", "Oběd")]),
            "Nečinný – Oběd"
        );
        assert_eq!(Labels::new(Some("xx")).get("alert.accept", &[]), "Accept");
    }
}
