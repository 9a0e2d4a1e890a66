//! The journal's files: segments of length-prefixed, checksummed records, and the file that
//! says how far they are applied.

use std::fs::{self, File};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;

use crate::private;
use crate::store::{Batch, StoreError, StoreResult};

/// A segment is sealed, and a new one started, once it holds this much: with syncs, each is
/// written with zeros ahead of use (see [`zeroed`]), which a smaller segment keeps short.
pub(super) const SEGMENT_BYTES: u64 = 16 << 20;
/// The file that says how far the journal has been applied: `segment offset`.
pub(super) const APPLIED_FILE: &str = "applied";
/// Each record: payload length and CRC-32 of the payload, little-endian, then the payload (JSON,
/// never empty: a header of zeros is where the records end).
pub(super) const HEADER_BYTES: usize = 8;

/// What a file being prepared as the next segment is called until it becomes one.
const SPARE_EXTENSION: &str = "spare";

#[derive(Debug)]
pub(super) struct Writer {
    directory: PathBuf,
    pub(super) file: File,
    segment: u64,
    bytes: u64,
    /// When a segment is sealed: [`SEGMENT_BYTES`] but in tests.
    segment_limit: u64,
    /// Sync each record to the disk before it counts as written ([`Durability::Power`]).
    sync: bool,
    /// With syncs, the next segment, being prepared in the background: see [`zeroed`].
    pub(super) spare: Option<JoinHandle<std::io::Result<(PathBuf, File)>>>,
}

/// A segment's file with every block already written (zeros) and synced, its length the segment
/// limit. A sync of a record written into it then flushes the record alone: appending to an empty
/// file, every sync also flushed the file's new length and blocks (measured on ext4: about a third
/// more time and CPU per sync). Each spare has a name of its own, so that a preparation still
/// running for a journal closed in this process never writes into another's file.
fn zeroed(directory: &Path, segment: u64, bytes: u64) -> std::io::Result<(PathBuf, File)> {
    static PREPARED: AtomicU64 = AtomicU64::new(0);
    let n = PREPARED.fetch_add(1, Ordering::Relaxed);
    let path = directory.join(format!("{segment:016}-{n}.{SPARE_EXTENSION}"));
    let mut file = private::create_file(&path)?;
    // One page per write: the kernel caches a file in units as large as the writes that filled
    // it, and a sync writes back each unit a record touched whole — after 1 MiB writes, a
    // megabyte per sync.
    let page = [0u8; 4096];
    let mut left = bytes;
    while left > 0 {
        let chunk = left.min(page.len() as u64) as usize;
        file.write_all(&page[..chunk])?;
        left -= chunk as u64;
    }
    file.sync_all()?;
    file.rewind()?;
    Ok((path, file))
}

/// Removes the spares a previous run left: a spare holds nothing.
pub(super) fn remove_spares(directory: &Path) -> StoreResult<()> {
    for entry in fs::read_dir(directory).map_err(|e| failed(directory, e))? {
        let path = entry.map_err(|e| failed(directory, e))?.path();
        if path.extension().is_some_and(|ext| ext == SPARE_EXTENSION) {
            fs::remove_file(&path).map_err(|e| failed(&path, e))?;
        }
    }
    Ok(())
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
        Writer::create_from(directory, segment, segment_limit, sync, None)
    }

    /// [`Writer::create`], from the spare prepared for it, if there is one.
    fn create_from(
        directory: &Path,
        segment: u64,
        segment_limit: u64,
        sync: bool,
        spare: Option<JoinHandle<std::io::Result<(PathBuf, File)>>>,
    ) -> StoreResult<Writer> {
        let path = segment_path(directory, segment);
        let file = if sync {
            // A preparation that failed is done again here, where its error stops the commit.
            let prepared = match spare.map(JoinHandle::join) {
                Some(Ok(Ok(prepared))) => prepared,
                _ => zeroed(directory, segment, segment_limit).map_err(|e| failed(directory, e))?,
            };
            fs::rename(&prepared.0, &path).map_err(|e| failed(&path, e))?;
            // The new file's name must survive a power cut too.
            File::open(directory)
                .and_then(|dir| dir.sync_all())
                .map_err(|e| failed(directory, e))?;
            prepared.1
        } else {
            private::create_file(&path).map_err(|e| failed(&path, e))?
        };
        let spare = sync.then(|| {
            let directory = directory.to_owned();
            std::thread::spawn(move || zeroed(&directory, segment + 1, segment_limit))
        });
        Ok(Writer {
            directory: directory.to_owned(),
            file,
            segment,
            bytes: 0,
            segment_limit,
            sync,
            spare,
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
        let spare = self.spare.take();
        *self = Writer::create_from(
            &self.directory,
            full + 1,
            self.segment_limit,
            self.sync,
            spare,
        )?;
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
        // A segment prepared ahead ends in zeros where nothing was written yet.
        while !rest.is_empty() && !rest.starts_with(&[0; HEADER_BYTES]) {
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
