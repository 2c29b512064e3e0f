//! `rlscope check`: load the paths into a workspace, check everything, print, pick the exit status.

use std::io::IsTerminal;
use std::process::ExitCode;

use rlscope_core::Severity;
use rlscope_engine::{LoadOptions, Workspace};

use crate::{output, CheckArgs, ColorChoice, Format};

pub fn run(args: &CheckArgs) -> ExitCode {
    for p in &args.paths {
        if !p.exists() {
            eprintln!("error: {}: no such file or folder", p.display());
            return ExitCode::from(2);
        }
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let root = match args.paths.first() {
        Some(p) if p.is_dir() => p.clone(),
        Some(p) => p.parent().map(|p| p.to_path_buf()).unwrap_or_default(),
        None => cwd.clone(),
    };
    let root = std::fs::canonicalize(&root).unwrap_or(root);
    let mut ws = Workspace::new(root, Default::default());
    let paths: Vec<_> = args
        .paths
        .iter()
        .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
        .collect();
    let errors = ws.load_paths(
        &paths,
        &LoadOptions {
            no_prefilter: args.no_prefilter,
        },
    );
    for e in &errors {
        eprintln!("warning: {}: {}", e.path.display(), e.message);
    }
    let results = ws.check_all();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let text = match args.format {
        Format::Human => output::human::render(&ws, &results, &cwd, color),
        Format::Json => output::json::render(&ws, &results),
    };
    print!("{text}");
    let has_error = results
        .iter()
        .any(|(_, fs)| fs.iter().any(|f| f.severity == Severity::Error));
    if has_error {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
