//! The journal's files: segments of length-prefixed, checksummed records, and the file that
//! says how far they are applied.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::private;
use crate::store::{Batch, StoreError, StoreResult};

/// A segment is sealed, and a new one started, once it holds this much.
pub(super) const SEGMENT_BYTES: u64 = 64 << 20;
/// The file that says how far the journal has been applied: `segment offset`.
pub(super) const APPLIED_FILE: &str = "applied";
/// Each record: payload length and CRC-32 of the payload, little-endian, then the payload (JSON).
pub(super) const HEADER_BYTES: usize = 8;

#[derive(Debug)]
pub(super) struct Writer {
    directory: PathBuf,
    file: File,
    segment: u64,
    bytes: u64,
    /// When a segment is sealed: [`SEGMENT_BYTES`] but in tests.
    segment_limit: u64,
    /// Sync each record to the disk before it counts as written ([`Durability::Power`]).
    sync: bool,
}

pub(super) fn segment_path(directory: &Path, segment: u64) -> PathBuf {
    directory.join(format!("{segment:016}.journal"))
}

pub(super) fn failed(context: &Path, error: impl Into<StoreError>) -> StoreError {
    error
        .into()
        .context(format_args!("journal {}", context.display()))
}

impl Writer {
    pub(super) fn create(
        directory: &Path,
        segment: u64,
        segment_limit: u64,
        sync: bool,
    ) -> StoreResult<Writer> {
        let path = segment_path(directory, segment);
        let file = private::create_file(&path).map_err(|e| failed(&path, e))?;
        if sync {
            // The new file's name must survive a power cut too.
            File::open(directory)
                .and_then(|dir| dir.sync_all())
                .map_err(|e| failed(directory, e))?;
        }
        Ok(Writer {
            directory: directory.to_owned(),
            file,
            segment,
            bytes: 0,
            segment_limit,
            sync,
        })
    }

    /// Appends one record; says where the journal stands after it, and which segment it sealed, if
    /// it filled one.
    pub(super) fn append(&mut self, payload: &[u8]) -> StoreResult<((u64, u64), Option<u64>)> {
        let length = u32::try_from(payload.len())
            .map_err(|_| StoreError::Failed("journal: a batch is larger than 4 GiB".into()))?;
        let mut record = Vec::with_capacity(HEADER_BYTES + payload.len());
        record.extend_from_slice(&length.to_le_bytes());
        record.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
        record.extend_from_slice(payload);
        // One write of the whole record, straight to the file (no buffering in the process):
        // once it returns, a crash of the process cannot lose the step.
        let path = segment_path(&self.directory, self.segment);
        self.file.write_all(&record).map_err(|e| failed(&path, e))?;
        if self.sync {
            self.file.sync_data().map_err(|e| failed(&path, e))?;
        }
        self.bytes += record.len() as u64;
        let end = (self.segment, self.bytes);
        if self.bytes < self.segment_limit {
            return Ok((end, None));
        }
        let full = self.segment;
        *self = Writer::create(&self.directory, full + 1, self.segment_limit, self.sync)?;
        Ok((end, Some(full)))
    }
}
/// How far a previous run applied the journal in `directory`: segment and offset.
pub(super) fn applied_position(directory: &Path) -> (u64, u64) {
    let text = fs::read_to_string(directory.join(APPLIED_FILE)).unwrap_or_default();
    let mut numbers = text.split_whitespace().map(str::parse::<u64>);
    match (numbers.next(), numbers.next()) {
        (Some(Ok(segment)), Some(Ok(offset))) => (segment, offset),
        _ => (0, 0),
    }
}

/// The batches of the segments in `directory` past the applied position, in order. A record cut
/// short or damaged at the end of the last segment is the write a crash interrupted; anywhere else
/// it is corruption.
pub(super) fn read_segments(directory: &Path) -> StoreResult<(Vec<PathBuf>, Vec<Batch>)> {
    let (applied_segment, applied_offset) = applied_position(directory);
    let mut paths: Vec<PathBuf> = fs::read_dir(directory)
        .map_err(|e| failed(directory, e))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "journal"))
        .collect();
    paths.sort();
    let mut batches = Vec::new();
    for (index, path) in paths.iter().enumerate() {
        let segment = path
            .file_stem()
            .and_then(|stem| stem.to_str()?.parse::<u64>().ok())
            .unwrap_or(u64::MAX);
        if segment < applied_segment {
            continue;
        }
        let mut bytes = Vec::new();
        File::open(path)
            .and_then(|mut file| file.read_to_end(&mut bytes))
            .map_err(|e| failed(path, e))?;
        let skip = if segment == applied_segment {
            usize::try_from(applied_offset)
                .unwrap_or(usize::MAX)
                .min(bytes.len())
        } else {
            0
        };
        let mut rest = &bytes[skip..];
        while !rest.is_empty() {
            match next_record(rest) {
                Some((batch, after)) => {
                    batches.push(batch);
                    rest = after;
                }
                None if index + 1 == paths.len() => {
                    tracing::warn!(path = %path.display(), bytes = rest.len(), "ignoring an incomplete journal record left by a crash");
                    break;
                }
                None => {
                    let damaged =
                        StoreError::Corrupt("a damaged record before the last segment".into());
                    return Err(failed(path, damaged));
                }
            }
        }
    }
    Ok((paths, batches))
}

/// The record at the start of `bytes` and what follows it, if it is whole and intact.
pub(super) fn next_record(bytes: &[u8]) -> Option<(Batch, &[u8])> {
    let header = bytes.get(..HEADER_BYTES)?;
    let length = u32::from_le_bytes(header[..4].try_into().ok()?) as usize;
    let checksum = u32::from_le_bytes(header[4..].try_into().ok()?);
    let payload = bytes.get(HEADER_BYTES..HEADER_BYTES + length)?;
    if crc32fast::hash(payload) != checksum {
        return None;
    }
    let batch = serde_json::from_slice(payload).ok()?;
    Some((batch, &bytes[HEADER_BYTES + length..]))
}
