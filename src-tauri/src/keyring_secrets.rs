//! The session token in the OS keyring (Secret Service), never in the settings file.

use switchboard_desk::{SecretError, SecretStore};

const SERVICE: &str = "org.switchboard.desktop";

#[derive(Debug)]
pub(crate) struct KeyringSecrets;

impl KeyringSecrets {
    /// Chooses the Secret Service explicitly, so the app behaves the same on every desktop.
    pub(crate) fn new() -> KeyringSecrets {
        keyring::set_default_credential_builder(
            keyring::secret_service::default_credential_builder(),
        );
        KeyringSecrets
    }
}

fn entry(account: &str) -> Result<keyring::Entry, SecretError> {
    keyring::Entry::new(SERVICE, account).map_err(|error| SecretError(error.to_string()))
}

impl SecretStore for KeyringSecrets {
    fn load(&self, account: &str) -> Result<Option<String>, SecretError> {
        match entry(account)?.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(SecretError(error.to_string())),
        }
    }

    fn save(&self, account: &str, secret: &str) -> Result<(), SecretError> {
        entry(account)?
            .set_password(secret)
            .map_err(|error| SecretError(error.to_string()))
    }

    fn delete(&self, account: &str) -> Result<(), SecretError> {
        match entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(error) => Err(SecretError(error.to_string())),
        }
    }
}
