//! `rlscope check`: find and load the config, load the paths into a workspace, fix (with `--fix`/`--diff`),
//! check everything, print, pick the exit status.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use rlscope_core::config::{self, Config};
use rlscope_core::{Applicability, Severity};
use rlscope_engine::{LoadOptions, Workspace};

use crate::fix::{self, Status};
use crate::{output, CheckArgs, ColorChoice, Format};

/// Whether `id` names a rule (the config and suppressions accept only these).
pub fn is_known_rule(id: &str) -> bool {
    rlscope_engine::rules::by_id(id).is_some()
}

/// The config for a run: `--config PATH`, else the nearest `rlscope.toml` above `start`, else the default.
pub fn load_config(explicit: Option<&Path>, start: &Path) -> Result<Config, String> {
    let path = match explicit {
        Some(p) => {
            if !p.is_file() {
                return Err(format!("{}: no such config file", p.display()));
            }
            Some(p.to_path_buf())
        }
        None => config::discover(start),
    };
    match path {
        None => Ok(Config::default()),
        Some(p) => {
            let p = std::fs::canonicalize(&p).unwrap_or(p);
            config::load_checked(&p, &is_known_rule).map_err(|e| e.to_string())
        }
    }
}

pub fn run(args: &CheckArgs) -> ExitCode {
    let cwd = std::env::current_dir().unwrap_or_default();
    let opts = LoadOptions {
        no_prefilter: args.no_prefilter,
    };
    let mut ws = match crate::project::open_workspace(&args.paths, args.config.as_deref(), &opts) {
        Ok(ws) => ws,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };

    let min = if args.unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    if args.diff {
        return run_diff(&mut ws, min, &cwd);
    }
    let mut fix_summary = None;
    let mut write_failed = false;
    if args.fix {
        let outcomes = fix::fix_in_memory(&mut ws, min);
        let (mut fixes, mut files) = (0, 0);
        for o in outcomes {
            let shown = output::display_path(&o.path, &cwd);
            let status = match o.status {
                Status::Fixed => fix::write_if_unchanged(&o.path, &o.original, &o.fixed),
                other => other,
            };
            match status {
                Status::Fixed => {
                    fixes += o.applied;
                    files += 1;
                    continue;
                }
                Status::Conflict(why) => {
                    eprintln!("warning: {shown}: {why}; file left untouched")
                }
                Status::ChangedOnDisk => eprintln!(
                    "warning: {shown}: the file changed on disk while rlscope was fixing it; file left untouched"
                ),
                Status::WriteError(why) => {
                    write_failed = true;
                    eprintln!("error: {shown}: cannot write the fixed file: {why}; file left untouched")
                }
            }
            // the workspace must describe the file as it is on disk
            ws.set_file(o.path.clone(), o.original.clone());
        }
        fix_summary = Some((fixes, files));
    }

    let results = ws.check_all();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let mut text = match args.format {
        Format::Human => output::human::render(&ws, &results, &cwd, color),
        Format::Json => output::json::render(&ws, &results),
        Format::Sarif => output::sarif::render(&ws, &results, &cwd),
        Format::Github => output::github::render(&ws, &results, &cwd),
        Format::Gitlab => output::gitlab::render(&ws, &results, &cwd),
    };
    if let Some((fixes, files)) = fix_summary {
        let line = format!(
            "Fixed {fixes} problem{} in {files} file{}.\n",
            if fixes == 1 { "" } else { "s" },
            if files == 1 { "" } else { "s" }
        );
        if args.format == Format::Human {
            text.push_str(&line);
        } else {
            eprint!("{line}");
        }
    }
    print!("{text}");
    let has_error = results
        .iter()
        .any(|(_, fs)| fs.iter().any(|f| f.severity == Severity::Error));
    if write_failed {
        ExitCode::from(2)
    } else if has_error {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `--diff`: print what `--fix` would change, write nothing. Exit 1 when there is a change.
fn run_diff(ws: &mut Workspace, min: Applicability, cwd: &Path) -> ExitCode {
    let outcomes = fix::fix_in_memory(ws, min);
    let (mut fixes, mut files) = (0, 0);
    let mut out = String::new();
    for o in &outcomes {
        let shown = output::display_path(&o.path, cwd);
        match &o.status {
            Status::Fixed => {
                fixes += o.applied;
                files += 1;
                out.push_str(&fix::unified_diff(&shown, &o.original, &o.fixed));
            }
            Status::Conflict(why) => eprintln!("warning: {shown}: {why}; no diff shown"),
            _ => {}
        }
    }
    print!("{out}");
    eprintln!(
        "Would fix {fixes} problem{} in {files} file{}.",
        if fixes == 1 { "" } else { "s" },
        if files == 1 { "" } else { "s" }
    );
    if files > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
