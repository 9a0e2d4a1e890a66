//! Search over 100,000 ended conversations in the embedded store (four messages each, 400,000 in
//! all), 99% of them Ann's and 1% Bo's: p50 and p99 of each kind of query, as the server runs
//! them, for Ann, for Bo (whose few matches are found among everyone's) and for a supervisor
//! searching everyone's. With
//! `SWITCHBOARD_BENCH_STORE=postgres`, the same on a throwaway PostgreSQL cluster instead. Prints
//! figures; asserts nothing. `cargo bench -p switchboard-server --bench search`.

use std::time::{Duration, Instant};

use switchboard_protocol::{AgentId, ChatMessage, ConversationId, EndedBy, Sender};
use switchboard_server::routing::Readable;
use switchboard_server::store::search::words;
use switchboard_server::store::{
    Batch, ConversationRecord, PostgresStore, SqliteStore, Status, Store,
};

const CONVERSATIONS: usize = 100_000;
const PER_COMMIT: usize = 2_000;
const RUNS: usize = 200;

/// A conversation of the run as routing stores it, held by `agent`.
fn record(n: usize, agent: &AgentId) -> ConversationRecord {
    serde_json::from_value(serde_json::json!({
        "id": format!("c{n}"), "channel": "chat", "queue": "general",
        "customer": { "name": format!("Customer{n} Lindqvist"), "email": format!("customer{n}@example.com"), "phone": format!("+4670{n:07}") },
        "context": [], "proactive": false, "started_at": n as u64, "comment": "Hello",
        "status": { "status": "held", "agent": agent.0, "accepted_at": n as u64 },
        "next_message": 5
    }))
    .expect("a stored conversation")
}

fn message(n: usize, id: u64, text: String, from: Sender) -> ChatMessage {
    ChatMessage {
        id,
        conversation: ConversationId(format!("c{n}")),
        from,
        text,
        sent_at: n as u64,
        attachments: Vec::new(),
    }
}

/// Every hundredth conversation is Bo's, the others Ann's.
fn holder(n: usize) -> AgentId {
    AgentId(
        if n.is_multiple_of(100) {
            "agent-bo"
        } else {
            "agent-ann"
        }
        .into(),
    )
}

async fn fill(store: &impl Store) {
    for start in (0..CONVERSATIONS).step_by(PER_COMMIT) {
        let mut opened = Batch::default();
        let mut closed = Batch::default();
        for n in start..start + PER_COMMIT {
            let agent = &holder(n);
            let customer = Sender::Customer {
                name: format!("Customer{n}"),
            };
            let ann = Sender::Agent {
                agent: agent.clone(),
                name: "Ann".into(),
            };
            opened.messages.extend([
                message(
                    n,
                    1,
                    format!(
                        "Hello, my {} has not arrived",
                        if n % 40 == 7 { "parcel" } else { "order" }
                    ),
                    customer.clone(),
                ),
                message(n, 2, format!("Which order is it? Ticket T{n}"), ann.clone()),
                message(n, 3, format!("Order {n}, placed last week"), customer),
                message(n, 4, "Thank you, it is on its way again".into(), ann),
            ]);
            let mut record = record(n, agent);
            opened
                .new_conversations
                .push((record.clone(), format!("token{n}")));
            record.status = Status::Closed {
                ended_by: EndedBy::Agent,
                wrap_up: Some("Resolved".into()),
                closed_at: n as u64 + 1,
            };
            closed.conversations.push(record);
        }
        store.commit(opened).await.expect("stored");
        store.commit(closed).await.expect("stored");
    }
}

async fn measure(store: &impl Store, whose: &Readable, what: &str, query: &str) {
    let words = words(query);
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut found = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        found = store
            .search(whose, &words, 50)
            .await
            .expect("searched")
            .len();
        times.push(started.elapsed());
    }
    times.sort();
    println!(
        "  {what} ({query:?}, {found} shown): p50 {:.2} ms, p99 {:.2} ms",
        times[RUNS / 2].as_secs_f64() * 1000.0,
        times[RUNS * 99 / 100].as_secs_f64() * 1000.0
    );
}

#[tokio::main]
async fn main() {
    if std::env::var("SWITCHBOARD_BENCH_STORE").is_ok_and(|store| store == "postgres") {
        let url = switchboard_testkit::postgres::durable_database();
        let store = PostgresStore::connect(&url).await.expect("a store");
        run(&store, "PostgreSQL, right after storing").await;
        // Autovacuum's work a while after a bulk load: the GIN index's pending list merged,
        // statistics gathered.
        let pool = sqlx::PgPool::connect(&url).await.expect("a connection");
        sqlx::query("VACUUM ANALYZE")
            .execute(&pool)
            .await
            .expect("vacuumed");
        println!("after VACUUM ANALYZE:");
        measure_all(&store).await;
    } else {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = SqliteStore::open(&dir.path().join("switchboard.db"))
            .await
            .expect("a store");
        run(&store, "the embedded store").await;
    }
}

async fn run(store: &impl Store, name: &str) {
    let started = Instant::now();
    fill(store).await;
    // On PostgreSQL a search first indexes what routing's commits queued, as the routing node
    // does while commits come: part of storing, not of the searches measured.
    store
        .search(&Readable::Everyone, &words("refund"), 1)
        .await
        .expect("indexed");
    println!(
        "search over {CONVERSATIONS} ended conversations ({} messages), 99% Ann's and 1% Bo's, on {name}, stored and indexed in {:.1} s:",
        CONVERSATIONS * 4,
        started.elapsed().as_secs_f64()
    );
    measure_all(store).await;
}

async fn measure_all(store: &impl Store) {
    let agent = Readable::TheirOwn(holder(1));
    measure(store, &agent, "a word in one conversation", "T73911").await;
    measure(store, &agent, "a customer's name", "customer4242 lindq").await;
    measure(
        store,
        &agent,
        "an e-mail address",
        "customer90210@example.com",
    )
    .await;
    measure(store, &agent, "a phone number's beginning", "46700012").await;
    measure(store, &agent, "a word in every conversation", "arrived").await;
    measure(store, &agent, "a word in one conversation in 40", "parcel").await;
    measure(
        store,
        &agent,
        "two words of one message in every conversation",
        "order placed",
    )
    .await;
    measure(store, &agent, "a word in none", "refund").await;
    let bo = Readable::TheirOwn(holder(0));
    measure(store, &bo, "Bo: a word in every conversation", "arrived").await;
    measure(store, &bo, "Bo: a customer's name", "customer4200").await;
    let everyone = Readable::Everyone;
    let supervisor = [
        ("a word in one conversation", "T73911"),
        ("a customer's name", "customer4242 lindq"),
        ("a word in every conversation", "arrived"),
        ("a word in one conversation in 40", "parcel"),
        (
            "two words of one message in every conversation",
            "order placed",
        ),
        ("a word in none", "refund"),
    ];
    for (what, query) in supervisor {
        let what = format!("everyone's: {what}");
        measure(store, &everyone, &what, query).await;
    }
}
