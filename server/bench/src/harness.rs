//! `rlscope-bench run`: on the same files, in one run, time
//! (a) a raw tree-sitter parse of every TS/JS file the walker finds (files read first; parsing over a rayon
//!     pool of T threads; TS grammar for .ts/.mts/.cts, TSX for the rest) — the 1.0× baseline;
//! (b) `rlscope check` end to end; (c) `rlscope check --no-prefilter`.
//! (b) and (c) run both as the release binary (`rlscope check DIR --format json`, `RAYON_NUM_THREADS=T`: what
//! users feel, process start and JSON output included) and in-process on `rlscope_engine::Workspace` (the
//! engine alone, on a rayon pool of T threads). Then it checks that prefilter on and off report identical
//! findings, and that every finding planted by the generator (`EXPECTED.json`) is reported.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use rlscope_core::config::Config;
use rlscope_engine::{Lang, LoadOptions, Workspace};

use crate::findings::{self, Norm, PlantedCheck};
use crate::gen::{self, GenOptions};
use crate::{sys, walk};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// The release binary and the in-process engine.
    Both,
    /// Only the `rlscope` binary.
    Binary,
    /// Only the engine, in-process.
    InProcess,
}

#[derive(clap::Args, Clone, Debug)]
pub struct RunArgs {
    /// Folders to measure (default: generated projects, see --sizes).
    pub dirs: Vec<PathBuf>,
    /// Thread counts to measure with.
    #[arg(long, value_delimiter = ',', default_value = "1,2")]
    pub threads: Vec<usize>,
    /// A generated project of 300 files, one run: a smoke test that the harness works.
    #[arg(long)]
    pub quick: bool,
    /// Runs per measurement; the median is reported [default: 3, 1 with --quick].
    #[arg(long)]
    pub runs: Option<usize>,
    /// Sizes of the generated projects when no folder is given [default: 1000,5000,20000; 300 with --quick].
    #[arg(long, value_delimiter = ',')]
    pub sizes: Vec<usize>,
    /// Seed of the generated projects.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The rlscope binary [default: $RLSCOPE_BIN, else `rlscope` next to this program, e.g. target/release].
    #[arg(long)]
    pub bin: Option<PathBuf>,
    /// What runs (b) and (c).
    #[arg(long, value_enum, default_value_t = Mode::Both)]
    pub mode: Mode,
    /// Keep the generated projects instead of deleting them.
    #[arg(long)]
    pub keep: bool,
}

/// What to measure on one folder.
#[derive(Clone, Debug)]
pub struct Settings {
    pub threads: Vec<usize>,
    pub runs: usize,
    /// The binary for (b)/(c); `None` skips the binary.
    pub bin: Option<PathBuf>,
    pub in_process: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Metric {
    Parse,
    BinOn,
    BinOff,
    EngineOn,
    EngineOff,
}

impl Metric {
    fn label(self) -> &'static str {
        match self {
            Metric::Parse => "(a) raw tree-sitter parse",
            Metric::BinOn => "(b) `rlscope check` (binary)",
            Metric::BinOff => "(c) `rlscope check --no-prefilter` (binary)",
            Metric::EngineOn => "(b) engine in-process",
            Metric::EngineOff => "(c) engine in-process, no prefilter",
        }
    }
}

/// Findings reported with the prefilter on and off, per thread count (first run).
#[derive(Default, Debug)]
pub struct Outcome {
    pub on: BTreeMap<usize, Vec<Norm>>,
    pub off: BTreeMap<usize, Vec<Norm>>,
}

impl Outcome {
    /// Findings of the first thread count with the prefilter on.
    pub fn reference(&self) -> Option<&Vec<Norm>> {
        self.on.values().next()
    }
}

/// Why a run fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// Prefilter on and off reported different findings.
    Prefilter,
    /// Different thread counts reported different findings.
    Threads,
    /// A planted finding was not reported.
    Planted,
    /// The binary and the in-process engine disagree (often: the binary was built from older sources).
    BinaryVsEngine,
    /// The binary failed, or EXPECTED.json could not be read.
    Error,
}

#[derive(Clone, Debug)]
pub struct Problem {
    pub kind: ProblemKind,
    pub message: String,
}

pub struct ProjectReport {
    pub name: String,
    pub root: PathBuf,
    pub files: usize,
    pub bytes: u64,
    pub read: Duration,
    /// Files whose raw parse contains an ERROR or MISSING node.
    pub syntax_errors: usize,
    /// Script files the engine parsed with the prefilter on (in-process runs only).
    pub parsed_with_prefilter: Option<usize>,
    pub runs: usize,
    pub threads: Vec<usize>,
    pub times: BTreeMap<(Metric, usize), Vec<Duration>>,
    /// User + system CPU time of the same measurements (steadier than wall time on a busy machine).
    pub cpu: BTreeMap<(Metric, usize), Vec<Duration>>,
    /// Peak RSS in KiB, max over runs.
    pub rss: BTreeMap<(Metric, usize), u64>,
    pub binary: Option<Outcome>,
    pub engine: Option<Outcome>,
    pub planted: Option<PlantedCheck>,
    /// Reasons the run fails: findings that differ, planted findings not reported, a crashed binary.
    pub problems: Vec<Problem>,
    /// Things worth knowing that do not fail the run.
    pub notes: Vec<String>,
}

impl ProjectReport {
    pub fn median(&self, m: Metric, t: usize) -> Option<Duration> {
        median(self.times.get(&(m, t))?)
    }

    pub fn median_cpu(&self, m: Metric, t: usize) -> Option<Duration> {
        median(self.cpu.get(&(m, t))?)
    }

    /// Whether prefilter on and off gave the same findings in every mode and thread count (false when a run
    /// failed, so that nothing could be compared).
    pub fn prefilter_identical(&self) -> bool {
        let outcomes: Vec<&Outcome> = [&self.binary, &self.engine].into_iter().flatten().collect();
        !outcomes.is_empty()
            && outcomes.iter().all(|o| {
                o.on.len() == self.threads.len()
                    && o.off.len() == self.threads.len()
                    && o.on
                        .values()
                        .chain(o.off.values())
                        .all(|f| Some(f) == o.reference())
            })
    }
}

fn median(v: &[Duration]) -> Option<Duration> {
    let mut v = v.to_vec();
    v.sort();
    v.get(v.len() / 2).copied()
}

fn parsers() -> (tree_sitter::Parser, tree_sitter::Parser) {
    let mut ts = tree_sitter::Parser::new();
    ts.set_language(&Lang::TypeScript.ts_language().expect("ts"))
        .expect("TS grammar loads");
    let mut tsx = tree_sitter::Parser::new();
    tsx.set_language(&Lang::Tsx.ts_language().expect("tsx"))
        .expect("TSX grammar loads");
    (ts, tsx)
}

/// (a): parses every text on `pool`, dropping each tree; returns the time and the files with syntax errors.
fn raw_parse(pool: &rayon::ThreadPool, texts: &[(Lang, Vec<u8>)]) -> (Duration, Duration, usize) {
    let cpu = sys::self_cpu();
    let start = Instant::now();
    let errors = pool.install(|| {
        texts
            .par_iter()
            .map_init(parsers, |(ts, tsx), (lang, text)| {
                let parser = if *lang == Lang::TypeScript { ts } else { tsx };
                let tree = parser
                    .parse(text, None)
                    .expect("tree-sitter returns a tree");
                usize::from(tree.root_node().has_error())
            })
            .sum()
    });
    (start.elapsed(), sys::self_cpu().saturating_sub(cpu), errors)
}

struct EngineRun {
    wall: Duration,
    cpu: Duration,
    findings: Vec<Norm>,
    /// Script files parsed (the rest were ruled out by the prefilter).
    parsed: usize,
    rss_kib: Option<u64>,
}

/// (b)/(c) in-process: load and check the folder on `pool`. The workspace is dropped after the clock stops.
fn engine_run(pool: &rayon::ThreadPool, root: &Path, no_prefilter: bool) -> EngineRun {
    let reset = sys::reset_peak_rss();
    let cpu = sys::self_cpu();
    let start = Instant::now();
    let (ws, results) = pool.install(|| {
        let mut ws = Workspace::new(root.to_path_buf(), Config::default());
        let _errors = ws.load_paths(&[root.to_path_buf()], &LoadOptions { no_prefilter });
        let results = ws.check_all();
        (ws, results)
    });
    let wall = start.elapsed();
    let cpu = sys::self_cpu().saturating_sub(cpu);
    let rss_kib = if reset { sys::peak_rss_kib() } else { None };
    let findings = findings::from_workspace(root, &ws, &results);
    EngineRun {
        wall,
        cpu,
        findings,
        parsed: ws.parsed_count(),
        rss_kib,
    }
}

struct BinRun {
    wall: Duration,
    cpu: Duration,
    findings: Vec<Norm>,
    entries: usize,
    rss_kib: u64,
}

fn bin_run(bin: &Path, root: &Path, threads: usize, no_prefilter: bool) -> Result<BinRun, String> {
    let mut cmd = Command::new(bin);
    cmd.arg("check")
        .arg(root)
        .args(["--format", "json", "--color", "never"]);
    if no_prefilter {
        cmd.arg("--no-prefilter");
    }
    cmd.env("RAYON_NUM_THREADS", threads.to_string());
    let run = sys::run_child(&mut cmd).map_err(|e| format!("{}: {e}", bin.display()))?;
    if !matches!(run.code, Some(0 | 1)) {
        return Err(format!(
            "`{} check{}` exited with {:?}: {}",
            bin.display(),
            if no_prefilter { " --no-prefilter" } else { "" },
            run.code,
            run.stderr.trim()
        ));
    }
    let (findings, entries) = findings::from_json(root, &run.stdout)?;
    Ok(BinRun {
        wall: run.wall,
        cpu: run.cpu,
        findings,
        entries,
        rss_kib: run.max_rss_kib,
    })
}

fn show_diff(what: &str, a_name: &str, a: &[Norm], b_name: &str, b: &[Norm]) -> String {
    let (only_a, only_b) = findings::diff(a, b);
    let mut s = format!(
        "{what}: findings differ ({} only with {a_name}, {} only with {b_name})",
        only_a.len(),
        only_b.len()
    );
    for n in only_a.iter().take(10) {
        s.push_str(&format!("\n    only {a_name}: {n}"));
    }
    for n in only_b.iter().take(10) {
        s.push_str(&format!("\n    only {b_name}: {n}"));
    }
    s
}

/// Compares prefilter on/off (and thread counts) within one mode.
fn compare_outcome(mode: &str, o: &Outcome, problems: &mut Vec<Problem>) {
    let Some(reference) = o.reference() else {
        return;
    };
    let t0 = *o.on.keys().next().expect("a thread count");
    for (t, f) in &o.off {
        if f != reference {
            problems.push(Problem {
                kind: ProblemKind::Prefilter,
                message: show_diff(
                    &format!("{mode}, prefilter on (T={t0}) vs off (T={t})"),
                    "prefilter on",
                    reference,
                    "--no-prefilter",
                    f,
                ),
            });
        }
    }
    for (t, f) in o.on.iter().skip(1) {
        if f != reference {
            problems.push(Problem {
                kind: ProblemKind::Threads,
                message: show_diff(
                    &format!("{mode}, T={t0} vs T={t}"),
                    &format!("T={t0}"),
                    reference,
                    &format!("T={t}"),
                    f,
                ),
            });
        }
    }
}

/// Measures one folder. `name` labels it in the report.
pub fn measure(name: &str, dir: &Path, settings: &Settings) -> ProjectReport {
    let root = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let scripts = walk::scripts(&root);
    let start = Instant::now();
    let texts: Vec<(Lang, Vec<u8>)> = walk::read_parseable(&scripts)
        .into_iter()
        .map(|(_, l, t)| (l, t))
        .collect();
    let read = start.elapsed();
    let bytes = texts.iter().map(|(_, t)| t.len() as u64).sum();

    let mut report = ProjectReport {
        name: name.to_string(),
        root: root.clone(),
        files: texts.len(),
        bytes,
        read,
        syntax_errors: 0,
        parsed_with_prefilter: None,
        runs: settings.runs,
        threads: settings.threads.clone(),
        times: BTreeMap::new(),
        cpu: BTreeMap::new(),
        rss: BTreeMap::new(),
        binary: settings.bin.as_ref().map(|_| Outcome::default()),
        engine: settings.in_process.then(Outcome::default),
        planted: None,
        problems: Vec::new(),
        notes: Vec::new(),
    };
    let mut parsed_on = None;
    let mut parsed_off = None;
    let mut bin_entries = None;

    for run in 0..settings.runs {
        for &t in &settings.threads {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .expect("thread pool");
            let (d, cpu, errors) = raw_parse(&pool, &texts);
            report.syntax_errors = errors;
            report.times.entry((Metric::Parse, t)).or_default().push(d);
            report.cpu.entry((Metric::Parse, t)).or_default().push(cpu);

            if let Some(bin) = &settings.bin {
                for (metric, off) in [(Metric::BinOn, false), (Metric::BinOff, true)] {
                    match bin_run(bin, &root, t, off) {
                        Ok(r) => {
                            report.times.entry((metric, t)).or_default().push(r.wall);
                            report.cpu.entry((metric, t)).or_default().push(r.cpu);
                            let peak = report.rss.entry((metric, t)).or_default();
                            *peak = (*peak).max(r.rss_kib);
                            bin_entries = Some(r.entries);
                            let o = report.binary.as_mut().expect("binary outcome");
                            let slot = if off { &mut o.off } else { &mut o.on };
                            if run == 0 {
                                slot.insert(t, r.findings);
                            }
                        }
                        Err(message) => {
                            if !report.problems.iter().any(|p| p.message == message) {
                                report.problems.push(Problem {
                                    kind: ProblemKind::Error,
                                    message,
                                });
                            }
                        }
                    }
                }
            }
            if settings.in_process {
                for (metric, off) in [(Metric::EngineOn, false), (Metric::EngineOff, true)] {
                    let r = engine_run(&pool, &root, off);
                    report.times.entry((metric, t)).or_default().push(r.wall);
                    report.cpu.entry((metric, t)).or_default().push(r.cpu);
                    if let Some(kib) = r.rss_kib {
                        let peak = report.rss.entry((metric, t)).or_default();
                        *peak = (*peak).max(kib);
                    }
                    if off {
                        parsed_off = Some(r.parsed);
                    } else {
                        parsed_on = Some(r.parsed);
                    }
                    let o = report.engine.as_mut().expect("engine outcome");
                    let slot = if off { &mut o.off } else { &mut o.on };
                    if run == 0 {
                        slot.insert(t, r.findings);
                    }
                }
            }
        }
    }

    if let Some(o) = &report.binary {
        compare_outcome("binary", o, &mut report.problems);
    }
    if let Some(o) = &report.engine {
        compare_outcome("in-process", o, &mut report.problems);
    }
    if let (Some(b), Some(e)) = (
        report.binary.as_ref().and_then(Outcome::reference),
        report.engine.as_ref().and_then(Outcome::reference),
    ) {
        if b != e {
            report.problems.push(Problem {
                kind: ProblemKind::BinaryVsEngine,
                message: show_diff(
                    "binary vs in-process (was the binary built from older sources?)",
                    "binary",
                    b,
                    "in-process",
                    e,
                ),
            });
        }
    }
    if let Some(n) = parsed_off.filter(|n| *n != report.files) {
        report.notes.push(format!(
            "with --no-prefilter the engine parsed {n} TS/JS files, the harness's walk found {} (the raw parse covers the walk's files)",
            report.files
        ));
    }
    report.parsed_with_prefilter = parsed_on;
    if let Some(n) = bin_entries {
        report.notes.push(format!(
            "`rlscope check --format json` listed {n} checked files"
        ));
    }
    if report.syntax_errors > 0 {
        report.notes.push(format!(
            "{} files have syntax errors in the raw parse",
            report.syntax_errors
        ));
    }

    match findings::read_expected(&root) {
        Ok(Some(expected)) => {
            // The in-process engine is always built from the current sources; the binary is compared with it above.
            let found = report
                .engine
                .as_ref()
                .and_then(Outcome::reference)
                .or_else(|| report.binary.as_ref().and_then(Outcome::reference));
            if let Some(found) = found {
                let check = findings::check_planted(&expected, found);
                for m in &check.missing {
                    report.problems.push(Problem {
                        kind: ProblemKind::Planted,
                        message: format!(
                            "planted finding not reported: {}:{} {}",
                            m.path, m.line, m.rule
                        ),
                    });
                }
                for u in &check.unexpected {
                    report
                        .notes
                        .push(format!("reported but not planted (false positive?): {u}"));
                }
                report.planted = Some(check);
            }
        }
        Ok(None) => {}
        Err(message) => report.problems.push(Problem {
            kind: ProblemKind::Error,
            message,
        }),
    }
    report
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 0.1 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The report as markdown (what docs/performance.md quotes).
pub fn render(r: &ProjectReport) -> String {
    let mut s = format!(
        "### {}: {} TS/JS files, {:.1} MB (median of {} run{})\n\n",
        r.name,
        thousands(r.files as u64),
        r.bytes as f64 / 1e6,
        r.runs,
        if r.runs == 1 { "" } else { "s" }
    );
    s.push_str("| measurement |");
    for t in &r.threads {
        s.push_str(&format!(" T={t} wall | ×(a) | T={t} CPU | ×(a) |"));
    }
    s.push_str("\n|---|");
    for _ in &r.threads {
        s.push_str("---:|---:|---:|---:|");
    }
    s.push('\n');
    let metrics = [
        Metric::Parse,
        Metric::BinOn,
        Metric::BinOff,
        Metric::EngineOn,
        Metric::EngineOff,
    ];
    for m in metrics {
        if !r.threads.iter().any(|t| r.times.contains_key(&(m, *t))) {
            continue;
        }
        s.push_str(&format!("| {} |", m.label()));
        for &t in &r.threads {
            for (d, a) in [
                (r.median(m, t), r.median(Metric::Parse, t)),
                (r.median_cpu(m, t), r.median_cpu(Metric::Parse, t)),
            ] {
                match (d, a) {
                    (Some(d), Some(a)) if !a.is_zero() => s.push_str(&format!(
                        " {} | {:.2}× |",
                        secs(d),
                        d.as_secs_f64() / a.as_secs_f64()
                    )),
                    (Some(d), _) => s.push_str(&format!(" {} | |", secs(d))),
                    _ => s.push_str(" | |"),
                }
            }
        }
        s.push('\n');
    }
    for m in [Metric::BinOn, Metric::EngineOn] {
        if !r.threads.iter().any(|t| r.times.contains_key(&(m, *t))) {
            continue;
        }
        s.push_str(&format!(
            "| files/s, {} |",
            if m == Metric::BinOn {
                "(b) binary"
            } else {
                "(b) in-process"
            }
        ));
        for &t in &r.threads {
            match r.median(m, t) {
                Some(d) if !d.is_zero() => s.push_str(&format!(
                    " {} | | | |",
                    thousands((r.files as f64 / d.as_secs_f64()) as u64)
                )),
                _ => s.push_str(" | | | |"),
            }
        }
        s.push('\n');
    }
    for (label, on, off) in [
        ("peak RSS (b) / (c), binary", Metric::BinOn, Metric::BinOff),
        (
            "peak RSS (b) / (c), in-process (includes the harness's copy of the files)",
            Metric::EngineOn,
            Metric::EngineOff,
        ),
    ] {
        if !r.threads.iter().any(|t| r.rss.contains_key(&(on, *t))) {
            continue;
        }
        s.push_str(&format!("| {label} |"));
        for &t in &r.threads {
            let mb = |m| {
                r.rss
                    .get(&(m, t))
                    .map_or("–".to_string(), |k| format!("{:.0}", *k as f64 / 1024.0))
            };
            s.push_str(&format!(" {} / {} MB | | | |", mb(on), mb(off)));
        }
        s.push('\n');
    }
    if let Some(n) = r.parsed_with_prefilter {
        s.push_str(&format!(
            "\nThe prefilter let {} of {} TS/JS files through to parsing ({:.0}%).\n",
            thousands(n as u64),
            thousands(r.files as u64),
            100.0 * n as f64 / r.files.max(1) as f64
        ));
    }
    let t_max = r.threads.iter().copied().max().unwrap_or(1);
    if let Some(a) = r.median(Metric::Parse, t_max) {
        s.push_str(&format!(
            "\nReading the files (once, before parsing): {} ({:.2}× of (a) at T={t_max}).\n",
            secs(r.read),
            r.read.as_secs_f64() / a.as_secs_f64().max(1e-9)
        ));
    }
    s.push('\n');
    let count = |o: &Option<Outcome>| o.as_ref().and_then(Outcome::reference).map(Vec::len);
    let n = count(&r.binary).or(count(&r.engine));
    if r.prefilter_identical() {
        s.push_str(&format!(
            "- prefilter on = off: identical findings ({} findings{}) ✓\n",
            n.unwrap_or(0),
            if r.threads.len() > 1 {
                ", and the same with every thread count"
            } else {
                ""
            }
        ));
    }
    if let Some(p) = &r.planted {
        let found = p.total - p.missing.len();
        s.push_str(&format!(
            "- planted findings reported: {found}/{} {}\n",
            p.total,
            if p.missing.is_empty() { "✓" } else { "✗" }
        ));
    }
    for p in &r.problems {
        s.push_str(&format!("- FAIL: {}\n", p.message));
    }
    for n in &r.notes {
        s.push_str(&format!("- note: {n}\n"));
    }
    s
}

/// The `rlscope` binary to run: `$RLSCOPE_BIN`, else next to this program (or one or two folders up, for test
/// executables in target/*/deps).
pub use rlscope_testkit::find_rlscope as find_binary;

fn describe_binary(bin: &Path) -> String {
    let age = std::fs::metadata(bin)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .map_or(String::new(), |d| {
            format!(", built {} min ago", d.as_secs() / 60)
        });
    format!("{}{age}", bin.display())
}

pub fn main(args: &RunArgs) -> ExitCode {
    let runs = args.runs.unwrap_or(if args.quick { 1 } else { 3 }).max(1);
    let threads: Vec<usize> = args.threads.iter().copied().filter(|t| *t > 0).collect();
    if threads.is_empty() {
        eprintln!("error: --threads needs at least one count > 0");
        return ExitCode::from(2);
    }
    let bin = if args.mode == Mode::InProcess {
        None
    } else {
        match args.bin.clone().or_else(find_binary) {
            Some(b) if b.is_file() => Some(b),
            Some(b) => {
                eprintln!(
                    "error: {}: no such binary (build it: cargo build --release -p rlscope)",
                    b.display()
                );
                return ExitCode::from(2);
            }
            None => {
                eprintln!("error: no rlscope binary found: build it (cargo build --release -p rlscope), or pass --bin, or --mode in-process");
                return ExitCode::from(2);
            }
        }
    };
    let settings = Settings {
        threads,
        runs,
        bin,
        in_process: args.mode != Mode::Binary,
    };

    let mut projects: Vec<(String, PathBuf)> = args
        .dirs
        .iter()
        .map(|d| {
            let name = std::fs::canonicalize(d)
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| d.display().to_string());
            (name, d.clone())
        })
        .collect();
    let mut temp = None;
    if projects.is_empty() {
        let sizes = if !args.sizes.is_empty() {
            args.sizes.clone()
        } else if args.quick {
            vec![300]
        } else {
            vec![1000, 5000, 20000]
        };
        let dir = std::env::temp_dir().join(format!("rlscope-bench-{}", std::process::id()));
        for n in sizes {
            let out = dir.join(format!("gen-{n}"));
            let start = Instant::now();
            match gen::generate_to(
                &out,
                &GenOptions {
                    files: n.max(40),
                    seed: args.seed,
                },
            ) {
                Ok(p) => eprintln!(
                    "generated {} ({} TS/JS files, {:.1} MB) in {}",
                    out.display(),
                    p.script_count(),
                    p.bytes() as f64 / 1e6,
                    secs(start.elapsed())
                ),
                Err(e) => {
                    eprintln!("error: {}: {e}", out.display());
                    return ExitCode::from(2);
                }
            }
            projects.push((format!("gen-{n} (seed {})", args.seed), out));
        }
        temp = Some(dir);
    }

    println!(
        "rlscope-bench run: threads {:?}, {} run(s) each, load average {}; (b)/(c) via {}\n",
        settings.threads,
        settings.runs,
        sys::load_average().unwrap_or_else(|| "?".into()),
        match (&settings.bin, settings.in_process) {
            (Some(b), true) => format!(
                "the binary {} and the engine in-process",
                describe_binary(b)
            ),
            (Some(b), false) => format!("the binary {}", describe_binary(b)),
            (None, _) => "the engine in-process".to_string(),
        }
    );
    let mut failed = false;
    for (name, dir) in &projects {
        let report = measure(name, dir, &settings);
        print!("{}", render(&report));
        println!();
        failed |= !report.problems.is_empty();
    }
    if let Some(dir) = temp {
        if args.keep {
            eprintln!("kept the generated projects in {}", dir.display());
        } else {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    if failed {
        eprintln!("rlscope-bench: FAILED (see the FAIL lines above)");
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
