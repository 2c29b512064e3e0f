//! Logging to stderr (stdout is the protocol). Every line goes through the secret redactor.
//!
//! The level comes from `RLSCOPE_LOG` (`error`, `warn`, `info`, `debug`; default `info`).

use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Error = 0,
    Warn = 1,
    Info = 2,
    Debug = 3,
}

impl Level {
    fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
            Level::Debug => "debug",
        }
    }
}

fn max_level() -> Level {
    static LEVEL: OnceLock<Level> = OnceLock::new();
    *LEVEL.get_or_init(|| {
        match std::env::var("RLSCOPE_LOG")
            .unwrap_or_default()
            .to_ascii_lowercase()
            .as_str()
        {
            "error" => Level::Error,
            "warn" | "warning" => Level::Warn,
            "debug" | "trace" | "verbose" => Level::Debug,
            _ => Level::Info,
        }
    })
}

pub fn enabled(level: Level) -> bool {
    level <= max_level()
}

pub fn write(level: Level, args: std::fmt::Arguments<'_>) {
    if !enabled(level) {
        return;
    }
    let text = args.to_string();
    let text = rlscope_core::keys::redact_secrets_in(&text);
    // one write per line: editors log every chunk of stderr separately
    let line = format!("[rlscope {}] {}\n", level.as_str(), text);
    let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), line.as_bytes());
}

macro_rules! log_error { ($($t:tt)*) => { $crate::log::write($crate::log::Level::Error, format_args!($($t)*)) } }
macro_rules! log_warn { ($($t:tt)*) => { $crate::log::write($crate::log::Level::Warn, format_args!($($t)*)) } }
macro_rules! log_info { ($($t:tt)*) => { $crate::log::write($crate::log::Level::Info, format_args!($($t)*)) } }
macro_rules! log_debug { ($($t:tt)*) => { $crate::log::write($crate::log::Level::Debug, format_args!($($t)*)) } }
pub(crate) use {log_debug, log_error, log_info, log_warn};

/// Text of a caught panic payload, redacted.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let msg = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    };
    rlscope_core::keys::redact_secrets_in(&msg).into_owned()
}
