//! Delivering the stored events to each endpoint: in the order their steps committed, one at a
//! time, each until the endpoint acknowledges it (any 2xx), retried with a doubling delay. An
//! endpoint's place is stored as it advances, so a restarted server — or the node routing after
//! a fail-over — goes on from there: an event may arrive twice (the receiver de-duplicates on its
//! id), never not at all. Each endpoint has its own task; a failing one delays only itself, and
//! routing never waits for any.

use std::collections::HashMap;
use std::time::Duration;

use switchboard_protocol::AgentId;
use tokio::task::JoinSet;

use super::event::{AgentRef, Event, from_stored};
use super::signature::sign;
use crate::clock;
use crate::config::{Config, EventWebhook};
use crate::metrics::{self, EndpointLabels};
use crate::store::{Store, StoreError, StoredEvent};

/// How often an endpoint that has every event looks for new ones.
const POLL: Duration = Duration::from_millis(200);
/// Events read at once.
const CHUNK: u32 = 200;
const FIRST_RETRY: Duration = Duration::from_secs(1);
const LAST_RETRY: Duration = Duration::from_secs(600);
/// An endpoint that has not answered by then failed this attempt.
const ENDPOINT_TIMEOUT: Duration = Duration::from_secs(10);
/// How often events every endpoint has are deleted.
const FORGET_EVERY: Duration = Duration::from_secs(30);

/// Delivery stopped for `running`'s endpoints (where they stand is stored) and started for
/// `config`'s: the configuration read again changed them.
pub async fn restart<S: Store>(running: &mut JoinSet<()>, config: &Config, store: S) {
    running.shutdown().await;
    match start(config, store).await {
        Ok(started) => {
            *running = started;
            tracing::info!(
                endpoints = config.event_webhooks.len(),
                "event webhooks started again"
            );
        }
        Err(error) => tracing::error!(
            %error,
            "the event webhooks could not be started again: their events are kept for the next reload or restart"
        ),
    }
}

/// Starts delivering to the configured endpoints (and forgets the places of those no longer
/// configured); delivery stops when the returned set is dropped, with the hub that started it.
pub async fn start<S: Store>(config: &Config, store: S) -> Result<JoinSet<()>, StoreError> {
    let names: Vec<String> = config
        .event_webhooks
        .iter()
        .map(|endpoint| endpoint.name.clone())
        .collect();
    let places: HashMap<String, u64> = store
        .keep_event_webhooks(&names)
        .await?
        .into_iter()
        .collect();
    store.forget_delivered_webhook_events().await?;
    let mut tasks = JoinSet::new();
    if names.is_empty() {
        return Ok(tasks);
    }
    let http = reqwest::Client::builder()
        .timeout(ENDPOINT_TIMEOUT)
        // A redirect is an endpoint misconfigured, not a place to send signed events on to.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Switchboard/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("an HTTP client with rustls");
    for endpoint in config.event_webhooks.iter().cloned() {
        let place = places.get(&endpoint.name).copied().unwrap_or_default();
        let courier = Endpoint {
            key: endpoint.key(),
            labels: EndpointLabels {
                endpoint: endpoint.name.clone(),
            },
            endpoint,
            store: store.clone(),
            http: http.clone(),
            agents: HashMap::new(),
        };
        tasks.spawn(courier.deliver_from(place));
    }
    tasks.spawn(async move {
        loop {
            tokio::time::sleep(FORGET_EVERY).await;
            if let Err(error) = store.forget_delivered_webhook_events().await {
                tracing::warn!(%error, "delivered webhook events could not be deleted");
            }
        }
    });
    Ok(tasks)
}

struct Endpoint<S> {
    endpoint: EventWebhook,
    key: Vec<u8>,
    labels: EndpointLabels,
    store: S,
    http: reqwest::Client,
    /// The agents events name, read again when one is missing.
    agents: HashMap<AgentId, AgentRef>,
}

impl<S: Store> Endpoint<S> {
    async fn deliver_from(mut self, mut place: u64) {
        loop {
            let events = match self.store.webhook_events_after(place, CHUNK).await {
                Ok(events) => events,
                Err(error) => {
                    tracing::warn!(%error, endpoint = %self.endpoint.name, "webhook events could not be read");
                    tokio::time::sleep(FIRST_RETRY).await;
                    continue;
                }
            };
            if events.is_empty() {
                tokio::time::sleep(POLL).await;
                continue;
            }
            for stored in events {
                if let Some(event) = self.event(&stored).await {
                    self.deliver(&event, place).await;
                }
                place = stored.position;
            }
            self.save(place).await;
        }
    }

    /// The event `stored` is, if the endpoint wants it; one that cannot be read is logged and
    /// skipped rather than holding back every later one.
    async fn event(&mut self, stored: &StoredEvent) -> Option<Event> {
        let mut missing = false;
        let read = |agents: &HashMap<AgentId, AgentRef>, missing: &mut bool| {
            from_stored(stored, |id| {
                let found = agents.get(id).cloned();
                *missing |= found.is_none();
                found
            })
        };
        let mut event = read(&self.agents, &mut missing);
        if missing && let Ok(accounts) = self.store.agents().await {
            self.agents = accounts
                .into_iter()
                .map(|account| {
                    let known = AgentRef {
                        id: account.id.clone(),
                        email: account.email,
                        name: account.name,
                    };
                    (account.id, known)
                })
                .collect();
            event = read(&self.agents, &mut missing);
        }
        match event {
            Ok(event) => self.endpoint.wants(event.kind).then_some(event),
            Err(error) => {
                tracing::error!(%error, endpoint = %self.endpoint.name, "a webhook event was skipped");
                None
            }
        }
    }

    /// Delivers `event`, however long it takes; `place` is saved before waiting to retry, so a
    /// restart does not deliver again what was.
    async fn deliver(&self, event: &Event, place: u64) {
        let body = serde_json::to_vec(event).expect("events serialize");
        let mut delay = FIRST_RETRY;
        let mut saved = false;
        loop {
            match self.send(&event.id, &body).await {
                Ok(()) => {
                    metrics::get()
                        .webhook_deliveries
                        .get_or_create(&self.labels)
                        .inc();
                    return;
                }
                Err(failure) => {
                    metrics::get()
                        .webhook_failures
                        .get_or_create(&self.labels)
                        .inc();
                    tracing::warn!(
                        endpoint = %self.endpoint.name,
                        event = %event.id,
                        %failure,
                        retry_in = ?delay,
                        "an event webhook failed"
                    );
                    if !saved {
                        self.save(place).await;
                        saved = true;
                    }
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(LAST_RETRY);
                }
            }
        }
    }

    async fn send(&self, id: &str, body: &[u8]) -> Result<(), String> {
        let timestamp = clock::now() / 1000;
        let response = self
            .http
            .post(&self.endpoint.url)
            .header("webhook-id", id)
            .header("webhook-timestamp", timestamp)
            .header("webhook-signature", sign(&self.key, id, timestamp, body))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_vec())
            .send()
            .await
            .map_err(|error| error.to_string())?;
        match response.status() {
            status if status.is_success() => Ok(()),
            status => Err(format!("answered {status}")),
        }
    }

    async fn save(&self, place: u64) {
        if let Err(error) = self
            .store
            .webhook_delivered(&self.endpoint.name, place)
            .await
        {
            tracing::warn!(%error, endpoint = %self.endpoint.name, "a webhook's place could not be saved");
        }
    }
}
