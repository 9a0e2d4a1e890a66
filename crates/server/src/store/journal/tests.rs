use std::io::Write;

use super::segments::segment_path;
use super::*;
use crate::store::SqliteStore;

/// A step as the hub writes it: events for a client, one of them acknowledged, a reply.
fn step(stream: &str, seq: Seq) -> Batch {
    Batch {
        outbox: vec![(stream.to_owned(), seq, format!(r#"{{"n":{seq}}}"#))],
        replies: vec![(stream.to_owned(), format!("command-{seq}"), "{}".to_owned())],
        acks: if seq > 1 {
            vec![(stream.to_owned(), seq - 1)]
        } else {
            Vec::new()
        },
        ..Batch::default()
    }
}

/// What a client resuming from nothing would be sent, and the stream's head.
async fn visible(store: &impl Store, stream: &str) -> (Vec<Seq>, Vec<(String, Seq)>) {
    let events = store.outbox_after(stream, 0).await.unwrap();
    let heads = store.stream_heads().await.unwrap();
    (events.into_iter().map(|(seq, _)| seq).collect(), heads)
}

/// Writes `batches` as a crashed run would have left them, in one segment.
fn leave_journal(directory: &Path, segment: u64, batches: &[Batch]) -> PathBuf {
    fs::create_dir_all(directory).unwrap();
    let mut writer = Writer::create(directory, segment, SEGMENT_BYTES, false).unwrap();
    for batch in batches {
        writer.append(&serde_json::to_vec(batch).unwrap()).unwrap();
    }
    segment_path(directory, segment)
}

async fn database(directory: &Path) -> SqliteStore {
    SqliteStore::open(&directory.join("test.db")).await.unwrap()
}

#[tokio::test]
async fn reads_see_every_committed_step() {
    let dir = tempfile::tempdir().unwrap();
    let store = Journaled::open(database(dir.path()).await, &dir.path().join("journal"))
        .await
        .unwrap();
    for seq in 1..=200 {
        store.commit(step("agent:a", seq)).await.unwrap();
    }
    let (events, heads) = visible(&store, "agent:a").await;
    assert_eq!(events, [200]);
    assert_eq!(heads, [("agent:a".to_owned(), 200)]);
    assert_eq!(store.replies("agent:a").await.unwrap().len(), 200);
}

#[tokio::test]
async fn a_start_applies_what_a_crashed_run_left_and_removes_it() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal");
    let steps: Vec<Batch> = (1..=3).map(|seq| step("customer:c", seq)).collect();
    let segment = leave_journal(&journal, 7, &steps);

    let store = Journaled::open(database(dir.path()).await, &journal)
        .await
        .unwrap();
    assert_eq!(
        visible(&store, "customer:c").await,
        (vec![3], vec![("customer:c".to_owned(), 3)])
    );
    assert!(!segment.exists());
}

#[tokio::test]
async fn applying_a_journal_again_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal");
    let steps: Vec<Batch> = (1..=5).map(|seq| step("agent:b", seq)).collect();
    let database = database(dir.path()).await;
    // The crash came after the database had applied the steps, before the segment was deleted.
    for batch in &steps {
        let again: Batch = serde_json::from_slice(&serde_json::to_vec(batch).unwrap()).unwrap();
        database.commit(again).await.unwrap();
    }
    leave_journal(&journal, 1, &steps);

    let store = Journaled::open(database, &journal).await.unwrap();
    assert_eq!(
        visible(&store, "agent:b").await,
        (vec![5], vec![("agent:b".to_owned(), 5)])
    );
    assert_eq!(store.replies("agent:b").await.unwrap().len(), 5);
}

#[tokio::test]
async fn a_start_applies_only_what_follows_the_applied_position() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal");
    let first_two = leave_journal(&journal, 1, &[step("agent:f", 1), step("agent:f", 2)]);
    let applied_through = fs::metadata(&first_two).unwrap().len();
    let mut file = fs::OpenOptions::new()
        .append(true)
        .open(&first_two)
        .unwrap();
    let payload = serde_json::to_vec(&step("agent:f", 3)).unwrap();
    file.write_all(&(payload.len() as u32).to_le_bytes())
        .unwrap();
    file.write_all(&crc32fast::hash(&payload).to_le_bytes())
        .unwrap();
    file.write_all(&payload).unwrap();
    fs::write(journal.join(APPLIED_FILE), format!("1 {applied_through}")).unwrap();

    // The database never saw the first two (in life it would have): only the third is applied.
    let store = Journaled::open(database(dir.path()).await, &journal)
        .await
        .unwrap();
    let replies = store.replies("agent:f").await.unwrap();
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_eq!(replies[0].0, "command-3");
    assert!(!journal.join(APPLIED_FILE).exists());
}

#[tokio::test]
async fn a_record_cut_short_by_a_crash_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal");
    let segment = leave_journal(&journal, 1, &[step("agent:c", 1), step("agent:c", 2)]);
    let whole = fs::metadata(&segment).unwrap().len();
    let mut file = fs::OpenOptions::new().append(true).open(&segment).unwrap();
    let payload = serde_json::to_vec(&step("agent:c", 3)).unwrap();
    file.write_all(&(payload.len() as u32).to_le_bytes())
        .unwrap();
    file.write_all(&crc32fast::hash(&payload).to_le_bytes())
        .unwrap();
    file.write_all(&payload[..payload.len() / 2]).unwrap();
    assert!(fs::metadata(&segment).unwrap().len() > whole);

    let store = Journaled::open(database(dir.path()).await, &journal)
        .await
        .unwrap();
    assert_eq!(
        visible(&store, "agent:c").await,
        (vec![2], vec![("agent:c".to_owned(), 2)])
    );
}

#[tokio::test]
async fn a_damaged_record_before_the_last_segment_stops_the_start_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal");
    let first = leave_journal(&journal, 1, &[step("agent:d", 1), step("agent:d", 2)]);
    leave_journal(&journal, 2, &[step("agent:d", 3)]);
    let mut bytes = fs::read(&first).unwrap();
    let last = bytes.len() - 2;
    bytes[last] ^= 0x55;
    fs::write(&first, bytes).unwrap();

    let error = Journaled::open(database(dir.path()).await, &journal)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Corrupt(_)), "{error}");
    assert!(error.to_string().contains("damaged record"), "{error}");
    assert!(first.exists());
    let untouched = database(dir.path()).await;
    assert_eq!(visible(&untouched, "agent:d").await, (vec![], vec![]));
}

#[tokio::test]
async fn applied_segments_are_deleted_as_the_journal_grows() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal");
    let store = Journaled::open_sealing_at(
        database(dir.path()).await,
        &journal,
        4096,
        Durability::Power,
    )
    .await
    .unwrap();
    let event = format!(r#"{{"text":"{}"}}"#, "x".repeat(1000));
    for seq in 1..=20 {
        let batch = Batch {
            outbox: vec![("agent:e".to_owned(), seq, event.clone())],
            acks: vec![("agent:e".to_owned(), seq)],
            ..Batch::default()
        };
        store.commit(batch).await.unwrap();
    }
    store.caught_up().await.unwrap();
    let segments = fs::read_dir(&journal)
        .unwrap()
        .filter(|entry| {
            let path = entry.as_ref().unwrap().path();
            path.extension().is_some_and(|ext| ext == "journal")
        })
        .count();
    assert_eq!(segments, 1, "only the segment being written remains");
    assert_eq!(visible(&store, "agent:e").await.0, Vec::<Seq>::new());
}
