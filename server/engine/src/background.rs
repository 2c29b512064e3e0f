//! Work a keystroke need not wait for.

/// Frees a large value on a helper thread: dropping a big file's old summary costs about a millisecond of
/// `free`, which a keystroke need not wait for.
pub(crate) fn drop_in_background<T: Send + 'static>(value: T) {
    use std::sync::mpsc::{channel, Sender};
    use std::sync::OnceLock;
    type Garbage = Box<dyn Send>;
    static BIN: OnceLock<Option<Sender<Garbage>>> = OnceLock::new();
    let bin = BIN.get_or_init(|| {
        let (tx, rx) = channel::<Garbage>();
        std::thread::Builder::new()
            .name("rlscope-drop".into())
            .spawn(move || rx.into_iter().for_each(drop))
            .ok()
            .map(|_| tx)
    });
    // without the thread (or if it is gone) the value is dropped here
    if let Some(tx) = bin {
        let _ = tx.send(Box::new(value));
    }
}
