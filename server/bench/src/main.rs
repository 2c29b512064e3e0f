//! `rlscope-bench`: generate Supabase projects, and time `rlscope check` against a raw tree-sitter parse.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use rlscope_bench::{gen, harness, schema};

#[derive(Parser)]
#[command(name = "rlscope-bench", about = "rlscope's performance harness")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a deterministic Next.js + Supabase project of N TS/TSX/JS files, with EXPECTED.json.
    Gen {
        /// Number of TS/TSX/JS files.
        #[arg(long, default_value_t = 1000)]
        files: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output folder (created; must be empty or absent).
        out: PathBuf,
    },
    /// Measure raw parse vs `rlscope check` vs `rlscope check --no-prefilter` on each folder (default: generated
    /// projects of 1k, 5k and 20k files in a temporary folder).
    Run(harness::RunArgs),
    /// Time the schema model's build from a generated migration set of ≥ 50k lines (beside a raw parse) and
    /// one-character migration edits in the engine's workspace (beside re-checking every script).
    Schema(schema::SchemaArgs),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Gen { files, seed, out } => {
            if out.exists()
                && out
                    .read_dir()
                    .map(|mut d| d.next().is_some())
                    .unwrap_or(true)
            {
                eprintln!(
                    "error: {}: exists and is not an empty folder",
                    out.display()
                );
                return ExitCode::from(2);
            }
            if files < 40 {
                eprintln!("error: --files must be at least 40");
                return ExitCode::from(2);
            }
            match gen::generate_to(&out, &gen::GenOptions { files, seed }) {
                Ok(p) => {
                    println!(
                        "wrote {} files ({} TS/JS, {:.1} MB) and EXPECTED.json ({} planted findings) to {}",
                        p.files.len(),
                        p.script_count(),
                        p.bytes() as f64 / 1e6,
                        p.expected.len(),
                        out.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {}: {e}", out.display());
                    ExitCode::from(2)
                }
            }
        }
        Command::Run(args) => harness::main(&args),
        Command::Schema(args) => schema::main(&args),
    }
}
