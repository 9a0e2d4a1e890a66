//! Short-lived signed links: to upload a file into a conversation, and to read a stored one.
//! The server gives them only to who may use them (the hub checks), and checks nothing else when
//! one is used: the signature says what the link is for and until when. One key, kept in the
//! store, signs for every node.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use switchboard_protocol::{ConversationId, FileId, FileLink, Millis, rules};

/// Who sent a file: the conversation's customer, or an agent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Uploader {
    Customer,
    Agent(switchboard_protocol::AgentId),
}

impl Uploader {
    /// As stored and signed: `customer` or `agent:<id>`.
    pub fn as_stored(&self) -> String {
        match self {
            Uploader::Customer => "customer".into(),
            Uploader::Agent(agent) => format!("agent:{agent}"),
        }
    }

    pub fn from_stored(stored: &str) -> Option<Uploader> {
        match stored.split_once(':') {
            None if stored == "customer" => Some(Uploader::Customer),
            Some(("agent", agent)) => Some(Uploader::Agent(agent.into())),
            _ => None,
        }
    }
}

/// What an upload link lets its holder do: add one file to `conversation` as `uploader`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadGrant {
    pub conversation: ConversationId,
    pub uploader: Uploader,
    pub name: String,
}

#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(…)")
    }
}

impl Signer {
    pub fn new(key: Vec<u8>) -> Signer {
        Signer { key }
    }

    fn mac(&self, parts: &[&str]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key");
        for part in parts {
            // Each part's length first: no two different lists sign the same bytes.
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        mac
    }

    fn signature(&self, parts: &[&str]) -> String {
        hex::encode(self.mac(parts).finalize().into_bytes())
    }

    fn verify(&self, parts: &[&str], signature: &str) -> bool {
        hex::decode(signature)
            .is_ok_and(|signature| self.mac(parts).verify_slice(&signature).is_ok())
    }

    /// A link to `path` with `query`, signed over `purpose`, the query's values and the expiry:
    /// it works until [`rules::FILE_LINK_MILLIS`] from `now`.
    fn signed_link(
        &self,
        path: &str,
        purpose: &[&str],
        query: &[(&str, &str)],
        now: Millis,
    ) -> FileLink {
        let expires_at = now + rules::FILE_LINK_MILLIS as Millis;
        let expires = expires_at.to_string();
        let mut parts = purpose.to_vec();
        parts.extend(query.iter().map(|(_, value)| *value));
        parts.push(&expires);
        let signature = self.signature(&parts);
        let mut url = form_urlencoded::Serializer::new(String::new());
        for (name, value) in query {
            url.append_pair(name, value);
        }
        url.append_pair("expires", &expires)
            .append_pair("signature", &signature);
        FileLink {
            url: format!("{path}?{}", url.finish()),
            expires_at,
        }
    }

    /// A link to read `file` until [`rules::FILE_LINK_MILLIS`] from `now`.
    pub fn file_link(&self, file: &FileId, now: Millis) -> FileLink {
        // File ids are the server's own: letters and digits.
        self.signed_link(
            &format!("/api/v1/files/{file}"),
            &["read", &file.0],
            &[],
            now,
        )
    }

    /// Whether a read link's signature and time hold.
    pub fn may_read(&self, file: &FileId, expires: Millis, signature: &str, now: Millis) -> bool {
        now <= expires && self.verify(&["read", &file.0, &expires.to_string()], signature)
    }

    /// A link to upload one file as `grant` says, until [`rules::FILE_LINK_MILLIS`] from `now`.
    pub fn upload_link(&self, grant: &UploadGrant, now: Millis) -> FileLink {
        let uploader = grant.uploader.as_stored();
        let query = [
            ("conversation", grant.conversation.0.as_str()),
            ("uploader", &uploader),
            ("name", &grant.name),
        ];
        self.signed_link("/api/v1/uploads", &["upload"], &query, now)
    }

    /// What an upload link grants, if its signature and time hold.
    pub fn upload_grant(
        &self,
        conversation: &str,
        uploader: &str,
        name: &str,
        expires: Millis,
        signature: &str,
        now: Millis,
    ) -> Option<UploadGrant> {
        let parts = ["upload", conversation, uploader, name, &expires.to_string()];
        if now > expires || !self.verify(&parts, signature) {
            return None;
        }
        Some(UploadGrant {
            conversation: conversation.into(),
            uploader: Uploader::from_stored(uploader)?,
            name: name.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(url: &str, key: &str) -> String {
        let query = url.split_once('?').unwrap().1;
        form_urlencoded::parse(query.as_bytes())
            .find_map(|(name, value)| (name == key).then(|| value.into_owned()))
            .unwrap()
    }

    #[test]
    fn a_read_link_works_for_its_file_until_it_expires() {
        let signer = Signer::new(b"key".to_vec());
        let file = FileId("f1".into());
        let link = signer.file_link(&file, 1_000);
        let signature = query(&link.url, "signature");
        let expires = link.expires_at;
        assert!(signer.may_read(&file, expires, &signature, expires));
        assert!(!signer.may_read(&file, expires, &signature, expires + 1));
        assert!(!signer.may_read(&FileId("f2".into()), expires, &signature, 1_000));
        assert!(!signer.may_read(&file, expires + 60_000, &signature, 1_000));
        assert!(!Signer::new(b"other".to_vec()).may_read(&file, expires, &signature, 1_000));
        assert!(!signer.may_read(&file, expires, "zz", 1_000));
    }

    #[test]
    fn an_upload_link_grants_what_it_was_signed_for_and_nothing_else() {
        let signer = Signer::new(b"key".to_vec());
        let grant = UploadGrant {
            conversation: "c1".into(),
            uploader: Uploader::Agent("agent-ann".into()),
            name: "a & b.png".into(),
        };
        let link = signer.upload_link(&grant, 1_000);
        let (conversation, uploader, name, signature) = (
            query(&link.url, "conversation"),
            query(&link.url, "uploader"),
            query(&link.url, "name"),
            query(&link.url, "signature"),
        );
        let expires = link.expires_at;
        let granted =
            signer.upload_grant(&conversation, &uploader, &name, expires, &signature, 1_000);
        assert_eq!(granted, Some(grant));
        assert_eq!(
            signer.upload_grant("c2", &uploader, &name, expires, &signature, 1_000),
            None
        );
        assert_eq!(
            signer.upload_grant(&conversation, "customer", &name, expires, &signature, 1_000),
            None
        );
        assert_eq!(
            signer.upload_grant(
                &conversation,
                &uploader,
                &name,
                expires,
                &signature,
                expires + 1
            ),
            None
        );
    }
}
