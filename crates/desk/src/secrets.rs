//! Where the session token is kept. The desktop shell backs this with the OS keyring; the token
//! never goes into a settings file.

use std::collections::HashMap;
use std::sync::Mutex;

/// A secret store failed (the keyring is locked, the service is missing, …).
#[derive(Debug, thiserror::Error)]
#[error("secret store: {0}")]
pub struct SecretError(pub String);

/// Keeps one secret per account (here: the session token per server and e-mail).
pub trait SecretStore: Send + Sync + 'static {
    fn load(&self, account: &str) -> Result<Option<String>, SecretError>;
    fn save(&self, account: &str, secret: &str) -> Result<(), SecretError>;
    /// Forgets the secret; forgetting one that is not there is not an error.
    fn delete(&self, account: &str) -> Result<(), SecretError>;
}

/// Secrets kept for the life of the process only: for a session the agent does not want
/// remembered, and for running the core without an OS keyring.
#[derive(Debug, Default)]
pub struct ProcessSecrets {
    secrets: Mutex<HashMap<String, String>>,
}

impl SecretStore for ProcessSecrets {
    fn load(&self, account: &str) -> Result<Option<String>, SecretError> {
        Ok(self
            .secrets
            .lock()
            .expect("not poisoned")
            .get(account)
            .cloned())
    }

    fn save(&self, account: &str, secret: &str) -> Result<(), SecretError> {
        self.secrets
            .lock()
            .expect("not poisoned")
            .insert(account.to_owned(), secret.to_owned());
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<(), SecretError> {
        self.secrets.lock().expect("not poisoned").remove(account);
        Ok(())
    }
}
