// Shared by the fuzz targets (included with `include!`): a panic hook that lets the bugs already reported (see
// rlscope_reliability::KNOWN_BUGS) through as ordinary unwinds, so the fuzzer keeps looking for new ones.
// With RLSCOPE_STRICT=1 every panic aborts, as libFuzzer expects.

fn install_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let strict = std::env::var_os("RLSCOPE_STRICT").is_some_and(|v| v == "1");
        std::panic::set_hook(Box::new(move |info| {
            let msg = info.to_string();
            let known = rlscope_reliability::KNOWN_BUGS
                .iter()
                .any(|(_, sig)| msg.contains(sig));
            if strict || !known {
                eprintln!("{msg}");
                eprintln!("{}", std::backtrace::Backtrace::force_capture());
                std::process::abort();
            }
        }));
    });
}

/// Runs `f`, swallowing only panics of known bugs (the hook aborts on any other).
fn guarded(f: impl FnOnce()) {
    install_hook();
    let _ = rlscope_reliability::known_bug_guard(f);
}
