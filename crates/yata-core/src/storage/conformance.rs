//! One test suite that every [`KvBackend`] must pass.

use super::{KvBackend, MemoryBackend, SledBackend, WriteBatch};

fn collect(backend: &dyn KvBackend, prefix: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    backend
        .scan_prefix(prefix)
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

fn put_get_delete(backend: &dyn KvBackend) {
    assert_eq!(backend.get(b"k").unwrap(), None);
    let mut batch = WriteBatch::default();
    batch.put(b"k".to_vec(), b"v1".to_vec());
    backend.apply(batch).unwrap();
    assert_eq!(backend.get(b"k").unwrap(), Some(b"v1".to_vec()));
    assert!(backend.contains(b"k").unwrap());

    let mut batch = WriteBatch::default();
    batch.delete(b"k".to_vec());
    backend.apply(batch).unwrap();
    assert_eq!(backend.get(b"k").unwrap(), None);
    assert!(!backend.contains(b"k").unwrap());
}

fn later_operation_in_batch_wins(backend: &dyn KvBackend) {
    let mut batch = WriteBatch::default();
    batch.put(b"x".to_vec(), b"1".to_vec());
    batch.put(b"x".to_vec(), b"2".to_vec());
    batch.put(b"y".to_vec(), b"1".to_vec());
    batch.delete(b"y".to_vec());
    backend.apply(batch).unwrap();
    assert_eq!(backend.get(b"x").unwrap(), Some(b"2".to_vec()));
    assert_eq!(backend.get(b"y").unwrap(), None);
}

fn prefix_scan_is_ordered_and_exact(backend: &dyn KvBackend) {
    let mut batch = WriteBatch::default();
    for key in ["p\0b", "p\0a", "p\0c", "pa", "q\0a", "p"] {
        batch.put(key.as_bytes().to_vec(), key.as_bytes().to_vec());
    }
    backend.apply(batch).unwrap();
    let keys: Vec<Vec<u8>> = collect(backend, b"p\0").into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, vec![b"p\0a".to_vec(), b"p\0b".to_vec(), b"p\0c".to_vec()]);
    assert!(collect(backend, b"z").is_empty());
    assert_eq!(collect(backend, b"").len(), 6 + backend_preexisting(backend));
}

/// Entries left by earlier steps of the suite, which share one backend.
fn backend_preexisting(backend: &dyn KvBackend) -> usize {
    usize::from(backend.contains(b"x").unwrap())
}

fn binary_keys_and_large_values(backend: &dyn KvBackend) {
    let key = vec![0xff, 0x00, 0x80];
    let value = vec![7u8; 1 << 20];
    let mut batch = WriteBatch::default();
    batch.put(key.clone(), value.clone());
    backend.apply(batch).unwrap();
    assert_eq!(backend.get(&key).unwrap(), Some(value));
}

fn run_suite(backend: &dyn KvBackend) {
    put_get_delete(backend);
    later_operation_in_batch_wins(backend);
    prefix_scan_is_ordered_and_exact(backend);
    binary_keys_and_large_values(backend);
    backend.flush().unwrap();
}

#[test]
fn memory_backend_conforms() {
    run_suite(&MemoryBackend::new());
}

#[test]
fn sled_backend_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let backend = SledBackend::open(dir.path(), 8 << 20).unwrap();
    run_suite(&backend);
    assert!(backend.size_on_disk().unwrap() > 0);
}

#[test]
fn sled_backend_keeps_flushed_data_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let backend = SledBackend::open(dir.path(), 8 << 20).unwrap();
        let mut batch = WriteBatch::default();
        batch.put(b"durable".to_vec(), b"yes".to_vec());
        backend.apply(batch).unwrap();
        backend.flush().unwrap();
    }
    let backend = SledBackend::open(dir.path(), 8 << 20).unwrap();
    assert_eq!(backend.get(b"durable").unwrap(), Some(b"yes".to_vec()));
}
