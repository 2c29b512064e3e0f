//! `rlscope`: the command-line entry point. Parses arguments and hands off to the engine (check, rules,
//! explain) or the language server (lsp). Exit status: 0 no error-level finding, 1 some, 2 usage or I/O error.

mod check;
mod fix;
mod output;
mod project;
mod roles;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "rlscope",
    version = env!("RLSCOPE_VERSION"),
    about = "Which Postgres role each Supabase request really runs as"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check files and folders (default: the current folder).
    Check(CheckArgs),
    /// List the rules: id, default severity, summary.
    Rules,
    /// Print a rule's documentation.
    Explain {
        /// A rule id, e.g. session-method-on-service-client.
        rule: String,
    },
    /// List every request (database, rpc, storage, functions, auth.admin) with the role it runs as and why.
    Roles(RolesArgs),
    /// Run the language server on stdin/stdout.
    Lsp {
        /// Accepted for editors that pass it (vscode-languageclient's stdio transport); stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
}

#[derive(clap::Args)]
pub struct CheckArgs {
    /// Files or folders to check. The project root (paths in messages are relative to it) is the nearest folder
    /// at or above the first path holding rlscope.toml, package.json, tsconfig.json or a supabase/ folder, not
    /// above a folder holding .git; without one, the first path's folder.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Parse every file, not only those the byte prefilter cannot rule out (findings are identical).
    #[arg(long)]
    pub no_prefilter: bool,
    /// Colour: auto (on a terminal), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Use this config file instead of the nearest rlscope.toml above the first path.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Apply the safe fixes in place, then report what remains.
    #[arg(long)]
    pub fix: bool,
    /// Also apply the unsafe fixes (they change behaviour: review them) with --fix or --diff.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff instead of writing them (exit status 1 when there is a change).
    #[arg(long)]
    pub diff: bool,
}

#[derive(clap::Args)]
pub struct RolesArgs {
    /// Files or folders to list (default: the current folder). The project root is found as for `check`.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = roles::RolesFormat::Human)]
    pub format: roles::RolesFormat,
    /// Only requests that may run as this Postgres role (service_role, authenticated, anon), or with this label
    /// (depends, third_party, unknown).
    #[arg(long, value_name = "ROLE")]
    pub role: Option<String>,
    /// Use this config file instead of the nearest rlscope.toml above the first path.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// rustc/ruff style, for people.
    Human,
    /// ESLint's JSON formatter shape.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// GitLab code quality report (artifacts: reports: codequality).
    Gitlab,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Roles(args) => roles::run(&args),
        Command::Lsp { .. } => {
            ExitCode::from(rlscope_lsp::run_stdio(env!("RLSCOPE_VERSION")).clamp(0, 255) as u8)
        }
        Command::Rules => {
            for rule in rlscope_engine::rules::all() {
                println!(
                    "{:<36} {:<8} {}",
                    rule.id,
                    rule.default_severity.as_str(),
                    rule.summary
                );
            }
            ExitCode::SUCCESS
        }
        Command::Explain { rule } => match rlscope_engine::rules::by_id(&rule) {
            Some(meta) => {
                print!("{}", rlscope_engine::rules::render_markdown(meta));
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("error: unknown rule `{rule}` (see `rlscope rules`)");
                ExitCode::from(2)
            }
        },
    }
}
