//! The JSON Schema of every frame, generated from the types, with the limits of [`rules`]:
//! `docs/protocol.schema.json` is this function's output, checked by a test so that it never
//! drifts from the code.

use schemars::schema_for;
use serde_json::{Value, json};

use crate::agent::{AgentClientFrame, AgentServerFrame};
use crate::customer::{CustomerClientFrame, CustomerServerFrame};
use crate::login::{LoginRequest, LoginResponse};
use crate::{PROTOCOL_VERSION, rules};

/// One JSON document holding the schema of each of the four frame types.
pub fn document() -> Value {
    json!({
        "title": "Switchboard protocol",
        "version": PROTOCOL_VERSION,
        "frames": {
            "AgentClientFrame": schema_for!(AgentClientFrame),
            "AgentServerFrame": schema_for!(AgentServerFrame),
            "CustomerClientFrame": schema_for!(CustomerClientFrame),
            "CustomerServerFrame": schema_for!(CustomerServerFrame),
        },
        "http": {
            "LoginRequest": schema_for!(LoginRequest),
            "LoginResponse": schema_for!(LoginResponse),
        },
        "rules": limits(),
    })
}

/// The limits both sides enforce, by name.
fn limits() -> Value {
    let mut limits: serde_json::Map<String, Value> = rules::LIMITS
        .iter()
        .map(|(name, value)| ((*name).to_owned(), json!(value)))
        .collect();
    let reserved: String = rules::RESERVED_CHARACTERS.iter().collect();
    limits.insert("RESERVED_CHARACTERS".to_owned(), json!(reserved));
    Value::Object(limits)
}

/// The document as written to `docs/protocol.schema.json`.
pub fn document_text() -> String {
    let mut text = serde_json::to_string_pretty(&document()).expect("a schema serializes");
    text.push('\n');
    text
}
