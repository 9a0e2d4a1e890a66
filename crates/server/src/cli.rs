//! What the command line does to the store itself, beside a running server or without one: the
//! audit log's entries (read, and written for what the commands do) and the admin API's keys.

use switchboard_protocol::Millis;

use crate::clock;
use crate::store::{AuditAction, AuditEntry, Scope, Store, api_keys};

/// What `apikey` does.
#[derive(Debug)]
pub enum Apikey {
    Create { name: String, scope: Scope },
    List,
    Revoke { name: String },
}

/// Creates, lists or revokes API keys, each change in the audit log.
pub async fn apikey(store: &impl Store, command: Apikey) -> Result<(), String> {
    match command {
        Apikey::Create { name, scope } => {
            let key = api_keys::create(store, &name, scope, clock::now()).await?;
            audit(store, AuditAction::ApiKeyCreated, &name, &scope.to_string()).await?;
            println!("{key}");
            eprintln!("the {scope} key {name}: keep it now, it is not shown again");
        }
        Apikey::List => {
            for key in store.api_keys().await.map_err(|e| e.to_string())? {
                let revoked = key
                    .revoked_at
                    .map_or_else(String::new, |at| format!("revoked {}", millis_text(at)));
                println!(
                    "{}\t{}\tcreated {}\t{revoked}",
                    key.name,
                    key.scope,
                    millis_text(key.created_at)
                );
            }
        }
        Apikey::Revoke { name } => {
            let revoked = store.revoke_api_key(&name, clock::now()).await;
            if !revoked.map_err(|e| e.to_string())? {
                return Err(format!("there is no live key called {name}"));
            }
            audit(store, AuditAction::ApiKeyRevoked, &name, "").await?;
        }
    }
    Ok(())
}

/// An instant as the command line prints it.
fn millis_text(at: Millis) -> String {
    jiff::Timestamp::from_millisecond(at as i64)
        .map_or_else(|_| at.to_string(), |at| at.to_string())
}

/// Prints the audit log's latest `limit` entries, newest first, tab-separated.
pub async fn print_audit(store: &impl Store, limit: u32) -> Result<(), String> {
    let entries = store
        .audit_log(None, limit)
        .await
        .map_err(|e| e.to_string())?;
    for (_, entry) in entries {
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            millis_text(entry.at),
            entry.actor,
            entry.origin,
            entry.action,
            entry.subject,
            entry.detail
        );
    }
    Ok(())
}

/// Records what a command did to the store in the audit log, as done from this machine by the
/// user running it.
pub async fn audit(
    store: &impl Store,
    action: AuditAction,
    subject: &str,
    detail: &str,
) -> Result<(), String> {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown user".into());
    let entry = AuditEntry {
        at: clock::now(),
        actor: format!("command line ({user})"),
        action,
        subject: subject.to_owned(),
        detail: detail.to_owned(),
        origin: "this machine".into(),
    };
    store
        .audit(&entry)
        .await
        .map_err(|error| format!("done, but it could not be recorded in the audit log: {error}"))
}
