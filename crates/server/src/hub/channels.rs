//! The hub's side of SMS and Messenger: each provider message is stored once, in its customer's
//! open conversation or a new one matched to their contact.

use switchboard_protocol::{Channel, ConversationId, ErrorBody, Millis};
use tokio::sync::oneshot;

use super::Hub;
use super::committer::Pending;
use super::stream::Stream;
use crate::auth;
use crate::routing::ContactKey;
use crate::routing::Effects;
use crate::routing::Inbound;
use crate::store::{Store, StoreError};

impl<S: Store> Hub<S> {
    pub(super) async fn inbound(
        &mut self,
        inbound: Inbound,
        done: oneshot::Sender<Result<ConversationId, ErrorBody>>,
        now: Millis,
        pending: &mut Pending,
    ) -> Result<(), StoreError> {
        // The provider's message ids are remembered like command ids: a redelivered message gets the
        // first delivery's answer and changes nothing.
        let stream = Stream::Inbound {
            channel: inbound.channel,
            customer: &inbound.address.customer,
        }
        .to_string();
        let answer = |result: Result<ConversationId, ErrorBody>| -> Box<dyn FnOnce() + Send> {
            Box::new(move || {
                let _ = done.send(result);
            })
        };
        if let Some(conversation) = self.known_reply(&stream, &inbound.provider_id).await? {
            // Answered once what the first delivery stored is committed.
            pending
                .answers
                .push(answer(Ok(ConversationId(conversation))));
            return Ok(());
        }
        let customer = inbound.address.customer.clone();
        let key = match inbound.channel {
            Channel::Facebook => ContactKey::FacebookId(customer),
            Channel::Sms | Channel::Chat => ContactKey::MobilePhone(customer),
        };
        let contact = self.contact_card(&key).await?;
        let provider_id = inbound.provider_id.clone();
        let new_id = ConversationId(auth::random_id());
        // Nobody resumes an SMS or Messenger conversation with a token: it only has to be unique.
        let token_hash = auth::hash_token(&auth::random_token());
        let mut fx = Effects::default();
        match self
            .router
            .inbound(new_id, token_hash, inbound, contact, now, &mut fx)
        {
            Ok(conversation) => {
                self.stage(pending, fx, None);
                self.remember(pending, &stream, &provider_id, conversation.0.clone());
                pending.answers.push(answer(Ok(conversation)));
            }
            Err(refusal) => answer(Err(refusal))(),
        }
        Ok(())
    }
}
