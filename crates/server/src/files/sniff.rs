//! A file's type, read from its content as it streams in: the signature of its first bytes, or
//! plain text when every byte is UTF-8 text. A name says nothing: an executable called
//! `cat.png` is an executable.

/// How much of the start is looked at for a signature.
const HEAD_BYTES: usize = 8 * 1024;

/// Reads a file's content chunk by chunk, holding only its first [`HEAD_BYTES`].
#[derive(Debug, Default)]
pub struct Sniffer {
    head: Vec<u8>,
    /// Whether everything so far is text: UTF-8 without control characters other than tab,
    /// line feed, carriage return and form feed.
    text: bool,
    /// The bytes of a character a chunk ended in the middle of.
    pending: Vec<u8>,
    started: bool,
}

impl Sniffer {
    pub fn feed(&mut self, chunk: &[u8]) {
        if !self.started {
            self.started = true;
            self.text = true;
        }
        let room = HEAD_BYTES.saturating_sub(self.head.len());
        self.head.extend_from_slice(&chunk[..room.min(chunk.len())]);
        if !self.text {
            return;
        }
        let mut bytes = std::mem::take(&mut self.pending);
        bytes.extend_from_slice(chunk);
        let valid = match std::str::from_utf8(&bytes) {
            Ok(valid) => valid,
            Err(error) if error.error_len().is_none() => {
                // A character cut at the chunk's end: finished by the next chunk.
                let (valid, rest) = bytes.split_at(error.valid_up_to());
                self.pending = rest.to_vec();
                std::str::from_utf8(valid).unwrap_or_default()
            }
            Err(_) => {
                self.text = false;
                return;
            }
        };
        self.text = !valid
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'));
    }

    /// The content's type, once all of it was fed: `None` when it is neither a recognised
    /// format nor text.
    pub fn content_type(&self) -> Option<&'static str> {
        if let Some(kind) = infer::get(&self.head) {
            return Some(kind.mime_type());
        }
        (self.started && self.text && self.pending.is_empty()).then_some("text/plain")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sniff(chunks: &[&[u8]]) -> Option<&'static str> {
        let mut sniffer = Sniffer::default();
        for chunk in chunks {
            sniffer.feed(chunk);
        }
        sniffer.content_type()
    }

    #[test]
    fn formats_are_read_from_their_signatures() {
        assert_eq!(
            sniff(&[b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"]),
            Some("image/png")
        );
        assert_eq!(
            sniff(&[b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"]),
            Some("application/pdf")
        );
        assert_eq!(sniff(&[b"\xff\xd8\xff\xe0\0\x10JFIF"]), Some("image/jpeg"));
    }

    #[test]
    fn an_executable_is_one_whatever_it_is_called() {
        // This test's own program.
        let program = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let kind = sniff(&[&program[..64 * 1024]]);
        assert_eq!(kind, Some("application/x-executable"));
    }

    #[test]
    fn text_is_utf8_without_control_characters_even_split_between_chunks() {
        let text = "Příliš žluťoučký kůň\r\n\túpěl ďábelské ódy.\n".as_bytes();
        let (first, second) = text.split_at(2); // inside "ř"
        assert_eq!(sniff(&[first, second]), Some("text/plain"));
        assert_eq!(sniff(&[b"plain\0binary"]), None);
        assert_eq!(sniff(&[b"bad \xff byte"]), None);
        assert_eq!(
            sniff(&["ends mid-character ř".as_bytes().split_last().unwrap().1]),
            None
        );
        assert_eq!(sniff(&[]), None);
    }
}
