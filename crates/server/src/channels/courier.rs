//! The courier runs errands to other systems: it delivers replies to SMS and Messenger customers
//! through the providers' APIs, and gives customers' messages to the bot. Each errand is an
//! outbox event: the hub acknowledges it only once it is done (the provider accepted the reply,
//! or the agent was told why it could not; the bot's answer is applied), so a restart runs what
//! was pending. A conversation's errands run one after another, in order; conversations do not
//! wait for each other.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use switchboard_protocol::{Channel, ConversationId, Seq};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::{DeliveryError, bot, facebook, twilio};
use crate::clock;
use crate::config::Config;
use crate::files::Signer;
use crate::metrics;
use crate::routing::{BotAnswer, ChannelAddress, Errand, Outbound};

/// Attempts per reply while the provider is unreachable or busy: with the delay doubling from
/// [`FIRST_RETRY`], the last is about a minute after the first.
const ATTEMPTS: u32 = 7;
const FIRST_RETRY: Duration = Duration::from_secs(1);
/// A provider that has not answered by then counts as unreachable for this attempt.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(15);

/// An errand: its sequence number in the conversation's outbound stream, and itself.
pub type Delivery = (Seq, Errand);

/// What became of an errand, for the hub to acknowledge it (and apply what it brought).
#[derive(Debug)]
pub enum Report {
    /// The reply at `seq` of a conversation's outbound stream was delivered, or not for the
    /// reason given.
    Delivered {
        conversation: ConversationId,
        seq: Seq,
        message: u64,
        failure: Option<String>,
    },
    /// The bot's answer to the customer's message at `seq` of the conversation's outbound
    /// stream, or why there is none.
    BotAnswered {
        conversation: ConversationId,
        seq: Seq,
        answer: Result<BotAnswer, String>,
    },
}

/// What a provider is told that nothing depends on — the page typing, on Messenger: sent at
/// once, beside the courier's errands, not stored, and given up on a failure.
#[derive(Clone, Debug)]
pub struct Signals {
    http: reqwest::Client,
    config: Arc<Config>,
}

impl Signals {
    pub fn new(config: Arc<Config>) -> Signals {
        let http = reqwest::Client::builder()
            .timeout(PROVIDER_TIMEOUT)
            .build()
            .expect("an HTTP client with rustls");
        Signals { http, config }
    }

    /// Shows a Messenger customer that the page is typing, or not any more.
    pub fn typing(&self, address: ChannelAddress, typing: bool) {
        let signals = self.clone();
        tokio::spawn(async move {
            let Some(facebook) = &signals.config.facebook else {
                return;
            };
            if let Err(failure) =
                facebook::sender_action(&signals.http, facebook, &address, typing).await
            {
                tracing::debug!(%failure, "Messenger was not told the page is typing");
            }
        });
    }
}

/// Where the courier sends its [`Report`]s.
pub trait ReportTo: Clone + Send + Sync + 'static {
    fn report(&self, report: Report) -> impl Future<Output = ()> + Send;
}

/// Starts the courier; the hub sends it errands once they are stored, and hears what became of
/// each through `hub`. `signer` makes the links providers fetch replies' files through.
pub fn start(
    config: Arc<Config>,
    signer: Signer,
    hub: impl ReportTo,
) -> mpsc::UnboundedSender<Delivery> {
    let (deliveries, incoming) = mpsc::unbounded_channel();
    let http = reqwest::Client::builder()
        .timeout(PROVIDER_TIMEOUT)
        .build()
        .expect("an HTTP client with rustls");
    let courier = Courier {
        http,
        config,
        signer,
        hub,
    };
    tokio::spawn(dispatch(incoming, courier));
    deliveries
}

#[derive(Clone, Debug)]
struct Courier<R> {
    http: reqwest::Client,
    config: Arc<Config>,
    signer: Signer,
    hub: R,
}

/// Keeps one delivery in flight per conversation, queuing the others behind it.
async fn dispatch(
    mut incoming: mpsc::UnboundedReceiver<Delivery>,
    courier: Courier<impl ReportTo>,
) {
    let mut waiting: HashMap<ConversationId, VecDeque<Delivery>> = HashMap::new();
    let mut busy: HashSet<ConversationId> = HashSet::new();
    let mut in_flight: JoinSet<ConversationId> = JoinSet::new();
    loop {
        tokio::select! {
            delivery = incoming.recv() => {
                let Some(delivery) = delivery else { break };
                metrics::get().courier_queue.inc();
                let conversation = delivery.1.conversation().clone();
                waiting.entry(conversation.clone()).or_default().push_back(delivery);
                if busy.insert(conversation.clone()) {
                    start_next(&mut waiting, &mut in_flight, &courier, &conversation, &mut busy);
                }
            }
            Some(Ok(conversation)) = in_flight.join_next() => {
                start_next(&mut waiting, &mut in_flight, &courier, &conversation, &mut busy);
            }
        }
    }
}

fn start_next(
    waiting: &mut HashMap<ConversationId, VecDeque<Delivery>>,
    in_flight: &mut JoinSet<ConversationId>,
    courier: &Courier<impl ReportTo>,
    conversation: &ConversationId,
    busy: &mut HashSet<ConversationId>,
) {
    let next = waiting.get_mut(conversation).and_then(VecDeque::pop_front);
    let Some((seq, errand)) = next else {
        waiting.remove(conversation);
        busy.remove(conversation);
        return;
    };
    metrics::get().courier_queue.dec();
    let courier = courier.clone();
    in_flight.spawn(async move {
        let conversation = errand.conversation().clone();
        let report = match errand {
            Errand::Reply(reply) => {
                let failure = courier.deliver(&reply).await.err();
                if let Some(failure) = &failure {
                    tracing::warn!(%conversation, message = reply.message, %failure, "a reply was not delivered");
                }
                Report::Delivered {
                    conversation: conversation.clone(),
                    seq,
                    message: reply.message,
                    failure: failure.map(|failure| failure.reason),
                }
            }
            // A bot that fails is not asked again: the customer is handed to people at once.
            Errand::Bot(turn) => Report::BotAnswered {
                conversation: conversation.clone(),
                seq,
                answer: bot::ask(&courier.http, &turn)
                    .await
                    .map_err(|failure| failure.reason),
            },
        };
        courier.hub.report(report).await;
        conversation
    });
}

impl<R> Courier<R> {
    /// Sends each of the reply's API calls in turn (Messenger takes a reply's text and each of its
    /// files as calls of their own), trying each until the provider accepts, refuses for good,
    /// or stays unreachable too long; a call the provider took is not sent again.
    async fn deliver(&self, outbound: &Outbound) -> Result<(), DeliveryError> {
        for part in 0..self.parts(outbound) {
            let mut delay = FIRST_RETRY;
            let mut attempt = 1;
            loop {
                let sent = self.send(outbound, part).await;
                if sent.is_err() {
                    let channel = metrics::ChannelLabels {
                        channel: outbound.channel.as_str(),
                    };
                    metrics::get()
                        .provider_failures
                        .get_or_create(&channel)
                        .inc();
                }
                match sent {
                    Err(error) if error.transient && attempt < ATTEMPTS => {
                        tracing::warn!(conversation = %outbound.conversation, message = outbound.message, part, attempt, %error, "a reply will be sent again");
                        tokio::time::sleep(delay).await;
                        delay *= 2;
                        attempt += 1;
                    }
                    Err(error) => return Err(error),
                    Ok(()) => break,
                }
            }
        }
        Ok(())
    }

    fn parts(&self, outbound: &Outbound) -> usize {
        match outbound.channel {
            Channel::Facebook => facebook::parts(outbound),
            Channel::Sms | Channel::Chat => 1,
        }
    }

    async fn send(&self, outbound: &Outbound, part: usize) -> Result<(), DeliveryError> {
        let not_configured = |channel: &str| DeliveryError {
            reason: format!("{channel} is no longer configured on the server"),
            transient: false,
        };
        // Made as it is sent, so that a link a provider fetches has not expired in the outbox.
        let links = self.links(outbound)?;
        match outbound.channel {
            Channel::Sms => match &self.config.sms {
                Some(sms) => twilio::send(&self.http, sms, outbound, &links).await,
                None => Err(not_configured("SMS")),
            },
            Channel::Facebook => match &self.config.facebook {
                Some(facebook) => {
                    facebook::send(&self.http, facebook, outbound, &links, part).await
                }
                None => Err(not_configured("Messenger")),
            },
            Channel::Chat => Err(not_configured("chat delivery")),
        }
    }

    /// The public addresses the provider fetches the reply's files from.
    fn links(&self, outbound: &Outbound) -> Result<Vec<String>, DeliveryError> {
        let now = clock::now();
        outbound
            .files
            .iter()
            .map(|file| {
                let link = self.signer.file_link(&file.id, now);
                self.config
                    .attachments
                    .public_link(&link.url)
                    .ok_or_else(|| DeliveryError {
                        reason: "the server no longer has a public address for providers to fetch files from".into(),
                        transient: false,
                    })
            })
            .collect()
    }
}

/// Sends a provider API call and says how it went: reachable and accepted, refused for good
/// (with the provider's own words), or worth trying again.
pub async fn call_provider(
    request: reqwest::RequestBuilder,
    provider: &str,
) -> Result<reqwest::Response, DeliveryError> {
    let response = request.send().await.map_err(|error| DeliveryError {
        reason: format!("{provider} could not be reached ({error})"),
        transient: true,
    })?;
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    // Twilio says `{"message": …}`, the Graph API `{"error": {"message": …}}`.
    let said = body["message"]
        .as_str()
        .or_else(|| body["error"]["message"].as_str())
        .map_or_else(String::new, |message| format!(": {message}"));
    Err(DeliveryError {
        reason: format!("{provider} answered {status}{said}"),
        transient: status == reqwest::StatusCode::TOO_MANY_REQUESTS || status.is_server_error(),
    })
}
