//! Who a customer is, as routing knows them: the contact key a conversation is matched by, and
//! the customer a site signed in (persistent chat).

use serde::Deserialize;

/// How a conversation finds its contact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContactKey {
    Email(String),
    MobilePhone(String),
    ExternalId(String),
    FacebookId(String),
}

/// Who the site says the customer is.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct SignedInCustomer {
    /// The customer's id in the site's accounts.
    #[serde(rename = "sub")]
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}
