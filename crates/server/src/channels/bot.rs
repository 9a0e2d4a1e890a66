//! The bot a workstream may put before its agents, spoken to through the REST channel widely
//! used by open-source bot frameworks: `POST {bot}/webhooks/rest/webhook` with
//! `{"sender": <conversation id>, "message": <text>}`, answered by a list of
//! `{"recipient_id", "text"}` messages. A message whose `custom` payload holds
//! `{"handoff": {"queue": …, "reason": …}}` hands the conversation to people.

use serde::Deserialize;
use serde_json::json;

use super::{DeliveryError, courier};
use crate::routing::{BotAnswer, BotTurn, Handoff};

#[derive(Debug, Deserialize)]
struct BotMessage {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    custom: Option<Custom>,
}

#[derive(Debug, Deserialize)]
struct Custom {
    #[serde(default)]
    handoff: Option<Handoff>,
}

/// Gives the bot the customer's message and reads its answer.
pub async fn ask(http: &reqwest::Client, turn: &BotTurn) -> Result<BotAnswer, DeliveryError> {
    let url = format!("{}/webhooks/rest/webhook", turn.bot.trim_end_matches('/'));
    let request = http
        .post(url)
        .json(&json!({ "sender": turn.conversation, "message": turn.text }));
    let response = courier::call_provider(request, "The bot").await?;
    let messages: Vec<BotMessage> = response.json().await.map_err(|error| DeliveryError {
        reason: format!("the bot's answer could not be read ({error})"),
        transient: false,
    })?;
    let mut answer = BotAnswer::default();
    for message in messages {
        answer
            .texts
            .extend(message.text.filter(|text| !text.trim().is_empty()));
        if let Some(handoff) = message.custom.and_then(|custom| custom.handoff) {
            answer.handoff = Some(handoff);
        }
    }
    Ok(answer)
}
