//! The language server (stub: the language-server issue fills this in).

/// Serves LSP over stdin/stdout until `exit` or stdin EOF; returns the process exit code.
pub fn run_stdio() -> i32 {
    eprintln!("rlscope lsp: not implemented yet");
    1
}
