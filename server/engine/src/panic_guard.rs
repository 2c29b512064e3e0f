//! One bad file must not take the whole run down.

/// Runs `f`, turning a panic into `None`.
pub fn catch_panic<T>(f: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
}
