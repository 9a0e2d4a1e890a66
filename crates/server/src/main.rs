//! `switchboard-server`: serve, administer agents and contacts, move to PostgreSQL.

// Frames, rows and argon2's 19 MiB blocks are allocated on one thread and freed on another: with
// the system allocator each thread kept its own arena of freed memory (470 MiB after 500 sign-ins,
// against 80 MiB with this one), and latency was no better.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use switchboard_protocol::agent::Role;
use switchboard_protocol::{AgentId, ContactId, Presence, QueueId};
use switchboard_server::cli::{self, audit, print_audit};
use switchboard_server::config::{AccountFields, Backend, Config};
use switchboard_server::contacts::{self, ContactRecord};
use switchboard_server::store::{
    AgentRecord, AuditAction, PostgresStore, Scope, SqliteStore, Store, describe_postgres, migrate,
};
use switchboard_server::{auth, clock, server};

#[derive(Parser, Debug)]
#[command(version, about = "The Switchboard contact-center server")]
struct Cli {
    /// How log lines are written on standard error: for people, or one JSON object each for log
    /// shippers.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve until SIGINT or SIGTERM.
    Serve {
        #[arg(long)]
        config: PathBuf,
        /// Overrides `server.listen`; port 0 picks a free port (printed on standard output).
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// Overrides `server.node`: this node's name among several on one PostgreSQL database.
        #[arg(long)]
        node: Option<String>,
    },
    /// Manage the queues of a running server.
    Queue {
        #[arg(long, global = true)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        command: QueueCommand,
    },
    /// Manage contacts.
    Contact {
        #[arg(long, global = true)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        command: ContactCommand,
    },
    /// Move an embedded deployment (its data directory, with the server stopped) to an empty
    /// PostgreSQL database; then set `[store] url` and start the server on it.
    Migrate {
        /// The embedded deployment's data directory (`[server] data_dir`).
        #[arg(long)]
        from: PathBuf,
        /// The PostgreSQL database: `postgres://user[:password]@host[:port]/database`.
        #[arg(long)]
        to: String,
    },
    /// Manage agent accounts.
    Agent {
        #[arg(long, global = true)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        command: AgentCommand,
    },
    /// Manage the admin API's named keys: each has a scope (read-only, contacts, full).
    Apikey {
        #[arg(long, global = true)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        command: ApikeyCommand,
    },
    /// Read the audit log: every administrative and supervisory action, newest first.
    Audit {
        #[arg(long)]
        config: PathBuf,
        /// How many entries.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

#[derive(Subcommand, Debug)]
enum ApikeyCommand {
    /// Make a key; it is printed once (only its hash is kept).
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        scope: Scope,
    },
    /// List the keys, revoked ones with when.
    List,
    /// Revoke a key: it is refused from now on.
    Revoke {
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand, Debug)]
enum QueueCommand {
    /// Remove a queue from the running server: its waiting conversations end, those held are
    /// interrupted (their agents can only end them). Delete it from the configuration too.
    Remove {
        #[arg(long)]
        queue: String,
    },
}

#[derive(Subcommand, Debug)]
enum ContactCommand {
    /// Import contacts from a CSV file with a header row (columns: name, email, mobile_phone,
    /// notes, external_id, facebook_id). Every problem is reported with its row, and a file with
    /// any problem imports nothing.
    Import { file: PathBuf },
}

#[derive(Subcommand, Debug)]
enum AgentCommand {
    /// Add an agent; the password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Queues the agent serves, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        queues: Vec<String>,
        /// Concurrent conversations; the configured default otherwise.
        #[arg(long)]
        capacity: Option<u32>,
        /// agent, supervisor (also sees everyone's work) or administrator.
        #[arg(long, default_value = "agent")]
        role: Role,
    },
    List,
    /// Remove an agent: their desktop is signed out at once and they are offered nothing more.
    Remove {
        #[arg(long)]
        email: String,
    },
    /// Set an agent's password, read from standard input; signs their desktops out.
    SetPassword {
        #[arg(long)]
        email: String,
    },
    /// End an agent's sessions: their desktop is signed out at once.
    SignOut {
        #[arg(long)]
        email: String,
    },
    /// Give an agent another role: agent, supervisor or administrator. Their desktop is signed
    /// out, and the role holds from their next sign-in.
    SetRole {
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: Role,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
    // The allocator asks for transparent huge pages; a fault in one zeroes 2 MiB and may first
    // compact memory, while the thread that faulted waits. The journal's sync thread and the
    // committer allocate as they go: with them, commits stalled 50–200 ms several times a minute
    // under load (customer→agent p99 80–111 ms, against 17–35 ms without).
    if let Err(error) = rustix::thread::disable_transparent_huge_pages(true) {
        tracing::warn!(%error, "transparent huge pages stay on: commits may stall on page faults");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(worker_threads(&cli))
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("switchboard-server: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The runtime's threads: as the served configuration says (a configuration that does not load
/// is reported by `run`), or the default.
fn worker_threads(cli: &Cli) -> usize {
    let server = match &cli.command {
        Command::Serve { config, .. } => Config::load(config).map(|c| c.server).ok(),
        _ => None,
    };
    server.unwrap_or_default().worker_threads()
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve {
            config,
            listen,
            node,
        } => {
            let mut config = Config::load(&config).map_err(|e| e.to_string())?;
            if let Some(listen) = listen {
                config.server.listen = listen;
            }
            if node.is_some() {
                config.server.node = node;
            }
            // Each connection is an open file: a default soft limit of 1,024 would cap the server
            // far below what it serves. The hard limit is the operator's to set.
            match rlimit::increase_nofile_limit(u64::MAX) {
                Ok(limit) => tracing::info!(limit, "open files"),
                Err(error) => tracing::warn!(%error, "could not raise the open-files limit"),
            }
            let workers = tokio::runtime::Handle::current().metrics().num_workers();
            tracing::info!(workers, "threads serving connections and routing");
            let listener = tokio::net::TcpListener::bind(config.server.listen)
                .await
                .map_err(|e| format!("{}: {e}", config.server.listen))?;

            server::serve(config, listener, stop_signal())
                .await
                .map_err(|e| e.to_string())
        }
        Command::Queue {
            config,
            command: QueueCommand::Remove { queue },
        } => {
            let config = config.ok_or("queue commands need --config FILE")?;
            let config = Config::load(&config).map_err(|e| e.to_string())?;
            remove_queue(&config, &queue).await
        }
        Command::Contact {
            config,
            command: ContactCommand::Import { file },
        } => {
            let config = config.ok_or("contact commands need --config FILE")?;
            let config = Config::load(&config).map_err(|e| e.to_string())?;
            with_store!(&config, store => import_contacts(&config, &store, &file).await)
        }
        Command::Agent { config, command } => {
            let config = config.ok_or("agent commands need --config FILE")?;
            let config = Config::load(&config).map_err(|e| e.to_string())?;
            with_store!(&config, store => agent_command(&config, &store, command).await)
        }
        Command::Apikey { config, command } => {
            let config = config.ok_or("apikey commands need --config FILE")?;
            let config = Config::load(&config).map_err(|e| e.to_string())?;
            let command = match command {
                ApikeyCommand::Create { name, scope } => cli::Apikey::Create { name, scope },
                ApikeyCommand::List => cli::Apikey::List,
                ApikeyCommand::Revoke { name } => cli::Apikey::Revoke { name },
            };
            with_store!(&config, store => cli::apikey(&store, command).await)
        }
        Command::Audit { config, limit } => {
            let config = Config::load(&config).map_err(|e| e.to_string())?;
            with_store!(&config, store => print_audit(&store, limit).await)
        }
        Command::Migrate { from, to } => migrate(&from, &to).await,
    }
}

/// Runs `$body` with `$store` bound to the configuration's store: the embedded database (its
/// records written directly, beside a running server's journal) or PostgreSQL.
macro_rules! with_store {
    ($config:expr, $store:ident => $body:expr) => {
        match $config.store.backend() {
            Backend::Embedded => {
                let $store = SqliteStore::open(&$config.database_path())
                    .await
                    .map_err(|e| e.to_string())?;
                $body
            }
            Backend::Postgres(url) => {
                let $store = PostgresStore::connect(&url)
                    .await
                    .map_err(|e| e.to_string())?;
                $body
            }
        }
    };
}
use with_store;

async fn migrate(from: &Path, to: &str) -> Result<(), String> {
    // A running server keeps applying its journal to the database being read.
    if let Ok(access) = switchboard_server::admin::read(from)
        && tokio::net::TcpStream::connect(&access.address)
            .await
            .is_ok()
    {
        return Err(format!(
            "a server is running on {} (at {}): stop it first",
            from.display(),
            access.address
        ));
    }
    let target = PostgresStore::connect(to)
        .await
        .map_err(|e| e.to_string())?;
    let moved = migrate::to_postgres(from, &target)
        .await
        .map_err(|e| e.to_string())?;
    println!("moved {moved} to {}", describe_postgres(to));
    Ok(())
}

async fn import_contacts(config: &Config, store: &impl Store, file: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let rows =
        contacts::import::parse(&text, config.contacts.default_region).map_err(|problems| {
            let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
            format!(
                "{}: nothing imported:\n{}",
                file.display(),
                lines.join("\n")
            )
        })?;
    let records: Vec<ContactRecord> = rows
        .iter()
        .map(|(_, fields)| ContactRecord {
            id: ContactId(auth::random_id()),
            fields: fields.clone(),
        })
        .collect();
    let taken = store
        .save_contacts(&records)
        .await
        .map_err(|e| e.to_string())?;
    if !taken.is_empty() {
        let lines: Vec<String> = taken
            .iter()
            .map(|t| {
                format!(
                    "row {}: {}",
                    rows[t.index].0,
                    contacts::key_taken(std::slice::from_ref(t))
                )
            })
            .collect();
        return Err(format!(
            "{}: nothing imported:\n{}",
            file.display(),
            lines.join("\n")
        ));
    }
    let noun = if records.len() == 1 {
        "contact"
    } else {
        "contacts"
    };
    println!("imported {} {noun}", records.len());
    let detail = format!("{} {noun}", records.len());
    audit(
        store,
        AuditAction::ContactsImported,
        &file.display().to_string(),
        &detail,
    )
    .await
}

async fn agent_command(
    config: &Config,
    store: &impl Store,
    command: AgentCommand,
) -> Result<(), String> {
    let find = |email: String| async move {
        store
            .agent_by_email(&email)
            .await
            .map_err(|e| e.to_string())?
            .ok_or(format!("no agent with e-mail {email}"))
    };
    match command {
        AgentCommand::Add {
            email,
            name,
            queues,
            capacity,
            role,
        } => {
            let queues: Vec<QueueId> = queues.into_iter().map(QueueId).collect();
            let fields = AccountFields {
                name: Some(&name),
                queues: Some(&queues),
                capacity,
                password: None,
            };
            let problems = config.account_problems(fields);
            if !problems.is_empty() {
                return Err(problems.join("; "));
            }
            let password = read_password()?;
            let record = AgentRecord {
                id: AgentId(auth::random_id()),
                email: email.trim().to_owned(),
                name,
                password_hash: auth::hash_password(&password),
                queues,
                capacity,
                presence: Presence::Offline,
                presence_since: clock::now(),
                role,
            };
            store
                .insert_agent(&record)
                .await
                .map_err(|e| e.to_string())?;
            println!("added {} ({}), {}", record.email, record.id, record.role);
            let detail = format!("{}, queues {}", record.role, queues_text(&record.queues));
            audit(store, AuditAction::AgentAdded, &record.email, &detail).await?;
        }
        AgentCommand::List => {
            for agent in store.agents().await.map_err(|e| e.to_string())? {
                let capacity = agent.capacity.unwrap_or(config.agents.default_capacity);
                println!(
                    "{}\t{}\t{}\t{}\tcapacity {capacity}",
                    agent.email,
                    agent.name,
                    agent.role,
                    queues_text(&agent.queues)
                );
            }
        }
        AgentCommand::Remove { email } => {
            let agent = find(email).await?;
            store
                .remove_agent(&agent.id)
                .await
                .map_err(|e| e.to_string())?;
            println!("removed {}", agent.email);
            audit(store, AuditAction::AgentRemoved, &agent.email, "").await?;
            sign_out_on_server(config, &agent.id, "removed").await?;
        }
        AgentCommand::SetPassword { email } => {
            let agent = find(email).await?;
            let password = read_password()?;
            store
                .set_password(&agent.id, &auth::hash_password(&password))
                .await
                .map_err(|e| e.to_string())?;
            println!("password set for {}", agent.email);
            audit(store, AuditAction::PasswordSet, &agent.email, "").await?;
            sign_out_on_server(config, &agent.id, "password_changed").await?;
        }
        AgentCommand::SignOut { email } => {
            let agent = find(email).await?;
            store
                .end_sessions(&agent.id)
                .await
                .map_err(|e| e.to_string())?;
            println!("signed out {}", agent.email);
            // A running server records the sign-out it is told of; a stopped one cannot.
            if !sign_out_on_server(config, &agent.id, "signed_out").await? {
                audit(store, AuditAction::SignedOut, &agent.email, "signed out").await?;
            }
        }
        AgentCommand::SetRole { email, role } => {
            let agent = find(email).await?;
            store
                .set_role(&agent.id, role)
                .await
                .map_err(|e| e.to_string())?;
            store
                .end_sessions(&agent.id)
                .await
                .map_err(|e| e.to_string())?;
            println!("{} is now {role}", agent.email);
            let detail = format!("{} → {role}", agent.role);
            audit(store, AuditAction::RoleChanged, &agent.email, &detail).await?;
            sign_out_on_server(config, &agent.id, "role_changed").await?;
        }
    }
    Ok(())
}

/// Calls the running server's admin API: `POST path` with `body`; the answer's body, or the
/// server's refusal.
async fn call_server(
    config: &Config,
    path: &str,
    body: Option<serde_json::Value>,
) -> Result<serde_json::Value, String> {
    let access = switchboard_server::admin::read(&config.server.data_dir)?;
    let url = format!("http://{}{path}", access.address);
    let mut request = reqwest::Client::new().post(&url).bearer_auth(&access.token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("{url}: {e} (is the server running?)"))?;
    let status = response.status();
    let body: serde_json::Value = response.json().await.map_err(|e| format!("{url}: {e}"))?;
    if !status.is_success() {
        return Err(body["message"]
            .as_str()
            .unwrap_or("the server refused")
            .to_owned());
    }
    Ok(body)
}

/// Tells the running server that an agent's sessions ended, so that their open desktop is
/// closed now (and the server records it); a server that is not running has nothing open. Says
/// whether a server was told.
async fn sign_out_on_server(
    config: &Config,
    agent: &AgentId,
    reason: &str,
) -> Result<bool, String> {
    if switchboard_server::admin::read(&config.server.data_dir).is_err() {
        return Ok(false);
    }
    let path = format!("/api/v1/admin/agents/{agent}/sign-out");
    match call_server(config, &path, Some(serde_json::json!({ "reason": reason }))).await {
        Ok(_) => {
            println!("their desktop is signed out");
            Ok(true)
        }
        Err(error) if error.ends_with("(is the server running?)") => Ok(false),
        Err(error) => Err(error),
    }
}

fn queues_text(queues: &[QueueId]) -> String {
    let names: Vec<&str> = queues.iter().map(|queue| queue.0.as_str()).collect();
    names.join(",")
}

async fn remove_queue(config: &Config, queue: &str) -> Result<(), String> {
    let body = call_server(
        config,
        &format!("/api/v1/admin/queues/{queue}/remove"),
        None,
    )
    .await?;
    println!(
        "removed queue {queue}: {} waiting conversation(s) ended, {} interrupted. Delete it from the configuration too.",
        body["ended"], body["interrupted"]
    );
    Ok(())
}

/// The password, from standard input (never from the command line, where `ps` shows it).
fn read_password() -> Result<String, String> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| format!("reading the password: {e}"))?;
    let password = input.trim_end_matches(['\n', '\r']).to_owned();
    auth::check_password(&password)
        .map_err(|problem| format!("the password (read from standard input) {problem}"))?;
    Ok(password)
}

async fn stop_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("a SIGTERM handler installs");
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
