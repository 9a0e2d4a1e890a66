//! Files in conversations, as the hub answers for them: upload links for who may write into a
//! conversation, and read links for who may see it.
//! Links change nothing, so their replies are not stored; file records are read off the hub.

use switchboard_protocol::agent::{AgentServerFrame, CommandResult, Outcome};
use switchboard_protocol::customer::{CustomerOutcome, CustomerServerFrame};
use switchboard_protocol::{
    AgentId, CommandId, ConversationId, ErrorBody, FileId, FileLink, Millis,
};

use super::connection::FrameSender;
use super::stream::Stream;
use super::{Hub, json};
use crate::files::{Signer, UploadGrant, Uploader, no_such_file, unreadable};
use crate::store::{Store, StoreError};

/// The name the key signing file links is kept under.
const LINK_KEY: &str = "file_links";

/// The signer of file links, with the key every node of the store shares (made on first use).
pub async fn file_signer<S: Store>(store: &S) -> Result<Signer, StoreError> {
    let new: [u8; 32] = rand::random();
    Ok(Signer::new(store.secret(LINK_KEY, &new).await?))
}

/// A read link to `file` if it belongs to `conversation` and `allowed` says the asker may see it.
async fn read_link<S: Store>(
    store: &S,
    signer: &Signer,
    conversation: &ConversationId,
    file: &FileId,
    allowed: impl Future<Output = Result<bool, StoreError>>,
    now: Millis,
) -> Result<FileLink, ErrorBody> {
    let record = store.file(file).await.map_err(unreadable)?;
    if record.is_none_or(|record| record.conversation != *conversation)
        || !allowed.await.map_err(unreadable)?
    {
        return Err(no_such_file());
    }
    Ok(signer.file_link(file, now))
}

impl<S: Store> Hub<S> {
    fn agent_reply(&self, agent: &AgentId, id: CommandId, answer: Result<FileLink, ErrorBody>) {
        if let Some(live) = self.live.get(&Stream::Agent(agent).to_string()) {
            live.frames.try_send(json(&agent_frame(id, answer)));
        }
    }

    /// Answers an agent's `upload`: a link, if they hold or joined the open conversation.
    pub(super) fn send_agent_upload(
        &self,
        agent: &AgentId,
        id: CommandId,
        conversation: ConversationId,
        name: &str,
        now: Millis,
    ) {
        let answer = self
            .router
            .check_may_upload(agent, &conversation)
            .map(|()| {
                let grant = UploadGrant {
                    conversation,
                    uploader: Uploader::Agent(agent.clone()),
                    name: self.router.file_name(name),
                };
                self.signer.upload_link(&grant, now)
            });
        self.agent_reply(agent, id, answer);
    }

    /// Answers an agent's `file_link`: a link, if the file is the conversation's and the agent
    /// holds, joined or is offered it, or took part in it before it ended (a supervisor: any
    /// ended conversation).
    pub(super) fn send_agent_file_link(
        &self,
        agent: &AgentId,
        id: CommandId,
        conversation: ConversationId,
        file: FileId,
        now: Millis,
    ) {
        let Some(live) = self.live.get(&Stream::Agent(agent).to_string()) else {
            return;
        };
        let frames = live.frames.clone();
        let live_access = self
            .router
            .check_may_read_files(agent, &conversation)
            .is_ok();
        let (store, signer, whose) = (
            self.store.clone(),
            self.signer.clone(),
            self.router.readable(agent),
        );
        tokio::spawn(async move {
            let allowed = async { Ok(live_access || store.may_read(&whose, &conversation).await?) };
            let answer = read_link(&store, &signer, &conversation, &file, allowed, now).await;
            frames.try_send(json(&agent_frame(id, answer)));
        });
    }

    /// Answers a customer's `upload`: a link, while their conversation is open.
    pub(super) fn send_customer_upload(
        &self,
        frames: &FrameSender,
        id: CommandId,
        conversation: &ConversationId,
        name: &str,
        now: Millis,
    ) {
        let answer = self
            .router
            .check_customer_may_upload(conversation)
            .map(|()| {
                let grant = UploadGrant {
                    conversation: conversation.clone(),
                    uploader: Uploader::Customer,
                    name: self.router.file_name(name),
                };
                self.signer.upload_link(&grant, now)
            });
        frames.try_send(json(&customer_frame(id, answer)));
    }

    /// Answers a customer's `file_link`: a link, if the file is their conversation's.
    pub(super) fn send_customer_file_link(
        &self,
        frames: &FrameSender,
        id: CommandId,
        conversation: &ConversationId,
        file: FileId,
        now: Millis,
    ) {
        let (store, signer, frames, conversation) = (
            self.store.clone(),
            self.signer.clone(),
            frames.clone(),
            conversation.clone(),
        );
        tokio::spawn(async move {
            let allowed = async { Ok(true) };
            let answer = read_link(&store, &signer, &conversation, &file, allowed, now).await;
            frames.try_send(json(&customer_frame(id, answer)));
        });
    }
}

fn agent_frame(id: CommandId, answer: Result<FileLink, ErrorBody>) -> AgentServerFrame {
    let outcome = match answer {
        Ok(link) => Outcome::Ok {
            result: CommandResult::Link { link },
        },
        Err(error) => Outcome::Error { error },
    };
    AgentServerFrame::Reply { id, outcome }
}

fn customer_frame(id: CommandId, answer: Result<FileLink, ErrorBody>) -> CustomerServerFrame {
    let outcome = match answer {
        Ok(link) => CustomerOutcome::Link { link },
        Err(error) => CustomerOutcome::Error { error },
    };
    CustomerServerFrame::Reply { id, outcome }
}
