//! Contacts: the customers the contact center knows (SPEC §3, Customer summary). Records are
//! validated here, whichever way they arrive (the admin API, a CSV import); phone numbers are
//! kept in E.164 so that an SMS from `+420 601 234 567` finds the contact entered as
//! `601234567`. Conversations are matched to contacts when they start.

pub mod import;

use serde::{Deserialize, Serialize};
use switchboard_protocol::agent::{ContactCard, PastConversation, QueueSummary};
use switchboard_protocol::{ContactId, QueueId};

use crate::routing::ContactKey;
use crate::routing::{ConversationRecord, Status};

pub use crate::phone::{PhoneError, Region, normalise_phone};

/// A stored contact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ContactRecord {
    pub id: ContactId,
    #[serde(flatten)]
    pub fields: ContactFields,
}

/// What describes a contact: as given (the admin API, a CSV row) until [`ContactFields::validated`]
/// checks and normalises it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactFields {
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    /// E.164.
    #[serde(default)]
    pub mobile_phone: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    /// The contact's id in the organisation's own systems; a persistent chat's authenticated
    /// customer id.
    #[serde(default)]
    pub external_id: Option<String>,
    /// The Facebook page-scoped id, once linked.
    #[serde(default)]
    pub facebook_id: Option<String>,
}

impl ContactKey {
    /// The stored column the key is looked up in.
    pub fn column(&self) -> &'static str {
        match self {
            ContactKey::Email(_) => "email",
            ContactKey::MobilePhone(_) => "mobile_phone",
            ContactKey::ExternalId(_) => "external_id",
            ContactKey::FacebookId(_) => "facebook_id",
        }
    }

    /// The value as stored: e-mail addresses compare without case.
    pub fn value(&self) -> String {
        match self {
            ContactKey::Email(email) => email.trim().to_lowercase(),
            ContactKey::MobilePhone(value)
            | ContactKey::ExternalId(value)
            | ContactKey::FacebookId(value) => value.clone(),
        }
    }
}

/// A contact that could not be saved because another one already has one of its keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyTaken {
    /// Its position among the contacts saved together.
    pub index: usize,
    pub key: ContactKey,
    pub holder: ContactId,
}

/// How many past conversations a Customer summary lists.
pub const RECENT_CONVERSATIONS: u32 = 5;

/// An ended conversation as a Customer summary or a search lists it; `None` while it is not
/// closed.
pub fn past_conversation(
    record: ConversationRecord,
    queue: impl Fn(&QueueId) -> QueueSummary,
) -> Option<PastConversation> {
    match record.status {
        Status::Closed {
            wrap_up, closed_at, ..
        } => Some(PastConversation {
            queue: queue(&record.queue),
            id: record.id,
            channel: record.channel,
            started_at: record.started_at,
            ended_at: closed_at,
            comment: record.comment,
            wrap_up,
            survey: record.survey,
        }),
        _ => None,
    }
}

/// The contact as the Customer summary shows them, with `past`, their latest ended
/// conversations (as the store lists them, up to [`RECENT_CONVERSATIONS`]).
pub fn card(
    contact: ContactRecord,
    past: Vec<ConversationRecord>,
    queue: impl Fn(&QueueId) -> QueueSummary,
) -> ContactCard {
    let recent = past
        .into_iter()
        .filter_map(|record| past_conversation(record, &queue))
        .collect();
    let fields = contact.fields;
    ContactCard {
        id: contact.id,
        name: fields.name,
        email: fields.email,
        phone: fields.mobile_phone,
        notes: fields.notes,
        external_id: fields.external_id,
        recent,
    }
}

const MAX_NAME: usize = 100;
const MAX_EMAIL: usize = 254;
const MAX_NOTES: usize = 2000;
const MAX_ID: usize = 200;

impl ContactFields {
    /// Validated and normalised fields, or every problem found, worded for a person.
    pub fn validated(self, region: Option<Region>) -> Result<ContactFields, Vec<String>> {
        let mut problems = Vec::new();
        let present =
            |value: Option<String>| value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let name = self.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > MAX_NAME {
            problems.push(format!("the name must have 1 to {MAX_NAME} characters"));
        }
        let email = present(self.email).map(|email| email.to_lowercase());
        if let Some(email) = &email
            && !looks_like_email(email)
        {
            problems.push(format!("“{email}” is not an e-mail address"));
        }
        let mobile_phone = match present(self.mobile_phone).map(|raw| normalise_phone(&raw, region))
        {
            Some(Ok(phone)) => Some(phone),
            Some(Err(error)) => {
                problems.push(error.to_string());
                None
            }
            None => None,
        };
        let notes = present(self.notes);
        if notes
            .as_ref()
            .is_some_and(|n| n.chars().count() > MAX_NOTES)
        {
            problems.push(format!("notes can have at most {MAX_NOTES} characters"));
        }
        let external_id = present(self.external_id);
        let facebook_id = present(self.facebook_id);
        for (what, id) in [("external id", &external_id), ("Facebook id", &facebook_id)] {
            if id.as_ref().is_some_and(|id| id.chars().count() > MAX_ID) {
                problems.push(format!("the {what} can have at most {MAX_ID} characters"));
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(ContactFields {
            name,
            email,
            mobile_phone,
            notes,
            external_id,
            facebook_id,
        })
    }
}

/// `local@domain.tld`, within the length a mailbox can have: enough to catch typing mistakes
/// without refusing real addresses.
fn looks_like_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    email.len() <= MAX_EMAIL
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.contains(char::is_whitespace)
}

impl ContactFields {
    /// The keys another contact must not share with this one.
    pub fn keys(&self) -> Vec<ContactKey> {
        let mut keys = Vec::new();
        keys.extend(self.email.clone().map(ContactKey::Email));
        keys.extend(self.mobile_phone.clone().map(ContactKey::MobilePhone));
        keys.extend(self.external_id.clone().map(ContactKey::ExternalId));
        keys.extend(self.facebook_id.clone().map(ContactKey::FacebookId));
        keys
    }
}

/// Taken keys, worded: `409`.
pub fn key_taken(taken: &[KeyTaken]) -> String {
    taken
        .iter()
        .map(|t| {
            format!(
                "{} “{}” belongs to contact {}",
                t.key.column(),
                t.key.value(),
                t.holder
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str) -> ContactFields {
        ContactFields {
            name: name.into(),
            ..ContactFields::default()
        }
    }

    #[test]
    fn fields_are_trimmed_and_normalised() {
        let fields = ContactFields {
            email: Some("  Zoe@Example.COM ".into()),
            mobile_phone: Some("601 234 567".into()),
            notes: Some("   ".into()),
            ..input(" Zoë Nováková ")
        }
        .validated(Some("CZ".parse().unwrap()))
        .unwrap();
        assert_eq!(fields.name, "Zoë Nováková");
        assert_eq!(fields.email.as_deref(), Some("zoe@example.com"));
        assert_eq!(fields.mobile_phone.as_deref(), Some("+420601234567"));
        assert_eq!(fields.notes, None);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let problems = ContactFields {
            email: Some("not an address".into()),
            mobile_phone: Some("12".into()),
            ..input("")
        }
        .validated(None)
        .unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("name"));
        assert!(problems[1].contains("not an e-mail address"));
        assert!(problems[2].contains("12"));
    }
}
