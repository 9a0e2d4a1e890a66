//! The attachments a message's file ids stand for, read here at the edge so that the hub never
//! waits for the store: each must have been uploaded into the message's conversation by its
//! sender. Whether the sender may write there at all is routing's to say.

use switchboard_protocol::{Attachment, ConversationId, ErrorBody, FileId};

use crate::files::{Uploader, no_such_file, unreadable};
use crate::store::Store;

pub(super) async fn attachments<S: Store>(
    store: &S,
    conversation: Option<&ConversationId>,
    uploader: &Uploader,
    files: &[FileId],
) -> Result<Vec<Attachment>, ErrorBody> {
    let mut attachments = Vec::with_capacity(files.len());
    for file in files {
        let record = store.file(file).await.map_err(unreadable)?;
        let Some(record) = record.filter(|record| {
            Some(&record.conversation) == conversation && record.uploader == uploader.as_stored()
        }) else {
            return Err(no_such_file());
        };
        attachments.push(Attachment {
            url: String::new(),
            content_type: Some(record.file.content_type.clone()),
            file: Some(record.file),
        });
    }
    Ok(attachments)
}
