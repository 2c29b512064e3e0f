//! The analysis thread: the one owner of the engine's `Workspace`.
//!
//! Every change (edits, opens, closes, files changed on disk, settings, the finished background index) and
//! every read (hover, inlay hints, pulled diagnostics, fix-all) is a message to this thread, handled in
//! arrival order, so a read always sees every edit sent before it and no lock is ever held by the async
//! side. The LSP loop never blocks on the analysis: handlers send a message and, for reads, await a oneshot
//! reply. Bursts of edits are coalesced: all queued messages are applied before diagnostics are computed.
//! A panic in the engine is caught per file: logged, that file's result dropped, the thread lives on.

use std::collections::{BTreeSet, HashMap};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::Arc;

use rlscope_core::config::Config;
use rlscope_core::keys::redact_secrets_in;
use rlscope_core::{Finding, LineIndex, PositionEncoding, TextRange};
use rlscope_engine::Workspace;
use tokio::sync::{mpsc::UnboundedSender, oneshot};
use tower_lsp_server::ls_types::{
    Diagnostic, FullDocumentDiagnosticReport, Hover, HoverContents, InlayHint, InlayHintLabel,
    InlayHintTooltip, Location, MarkupContent, MarkupKind, TextEdit, Uri,
    WorkspaceDocumentDiagnosticReport, WorkspaceFullDocumentDiagnosticReport,
};
use tree_sitter::Tree;

use crate::caps::Caps;
use crate::convert::{self, TextRef};
use crate::log::{log_debug, log_error, log_info};
use crate::settings::{self, Settings};

pub enum DiskChange {
    Created,
    Changed,
    Deleted,
}

pub enum Msg {
    /// An open document's new text (didOpen / didChange), with its syntax tree when it has one.
    Set {
        uri: Uri,
        path: PathBuf,
        version: i32,
        text: Arc<str>,
        tree: Option<Tree>,
    },
    Close {
        uri: Uri,
        path: PathBuf,
    },
    Disk(Vec<(PathBuf, DiskChange)>),
    Settings(Settings),
    /// The background index of the workspace folders (listed) is ready.
    Indexed(Box<Workspace>, Vec<PathBuf>),
    Query(Query),
}

pub enum Query {
    Hover {
        path: PathBuf,
        offset: u32,
        reply: oneshot::Sender<Option<Hover>>,
    },
    Definition {
        path: PathBuf,
        offset: u32,
        reply: oneshot::Sender<Option<Location>>,
    },
    /// The requests in code that touch the table or function named at `offset` of a SQL file.
    References {
        path: PathBuf,
        offset: u32,
        include_declaration: bool,
        reply: oneshot::Sender<Vec<Location>>,
    },
    InlayHints {
        path: PathBuf,
        range: TextRange,
        reply: oneshot::Sender<Vec<InlayHint>>,
    },
    Diagnostics {
        path: PathBuf,
        reply: oneshot::Sender<Vec<Diagnostic>>,
    },
    WorkspaceDiagnostics {
        reply: oneshot::Sender<Vec<WorkspaceDocumentDiagnosticReport>>,
    },
    /// The safe fixes of a file as edits, with the document version they apply to.
    FixAll {
        path: PathBuf,
        reply: oneshot::Sender<(Option<i32>, Vec<TextEdit>)>,
    },
}

/// What the thread asks the async side to send to the client.
pub enum Out {
    Publish {
        uri: Uri,
        diagnostics: Vec<Diagnostic>,
        version: Option<i32>,
    },
    /// Ask a pulling client to pull again (a dependency of an open file changed).
    RefreshDiagnostics,
    ShowWarning(String),
}

pub struct Setup {
    pub enc: PositionEncoding,
    pub caps: Caps,
    pub roots: Vec<PathBuf>,
    pub root: PathBuf,
    pub file_config: Config,
    pub settings: Settings,
}

struct OpenDoc {
    uri: Uri,
    version: i32,
    text: Arc<str>,
    tree: Option<Tree>,
}

struct State {
    ws: Workspace,
    enc: PositionEncoding,
    caps: Caps,
    roots: Vec<PathBuf>,
    root: PathBuf,
    file_config: Config,
    settings: Settings,
    open: HashMap<PathBuf, OpenDoc>,
    cache: HashMap<PathBuf, Arc<Vec<Finding>>>,
    out: UnboundedSender<Out>,
}

pub fn spawn(setup: Setup, out: UnboundedSender<Out>) -> Sender<Msg> {
    let (tx, rx) = std::sync::mpsc::channel();
    let config = setup.settings.merge_over(&setup.file_config);
    let state = State {
        ws: Workspace::new(setup.root.clone(), config),
        enc: setup.enc,
        caps: setup.caps,
        roots: setup.roots,
        root: setup.root,
        file_config: setup.file_config,
        settings: setup.settings,
        open: HashMap::new(),
        cache: HashMap::new(),
        out,
    };
    let spawned = std::thread::Builder::new()
        .name("rlscope-analysis".into())
        .spawn(move || run(state, rx));
    if let Err(e) = spawned {
        log_error!("cannot start the analysis thread: {e}");
    }
    tx
}

fn run(mut st: State, rx: Receiver<Msg>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while let Ok(m) = rx.try_recv() {
            batch.push(m);
        }
        let result = catch_unwind(AssertUnwindSafe(|| st.handle_batch(batch)));
        if let Err(p) = result {
            log_error!(
                "analysis panicked (server continues): {}",
                crate::log::panic_message(p.as_ref())
            );
            st.cache.clear();
        }
    }
    log_debug!("analysis thread ends");
}

/// Open documents larger than this are not analysed (the CLI's walk skips such files too); their
/// diagnostics are cleared.
pub const MAX_ANALYSED_BYTES: usize = rlscope_engine::MAX_WALKED_FILE;

/// Which `Set` messages of a batch a later `Set` of the same file replaces before anything reads the
/// workspace (a query in between keeps both, so it sees the text it was asked about).
fn superseded_sets(batch: &[Msg]) -> Vec<bool> {
    batch
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let Msg::Set { path, .. } = m else {
                return false;
            };
            for later in &batch[i + 1..] {
                match later {
                    Msg::Query(_) => return false,
                    Msg::Set { path: p, .. } if p == path => return true,
                    _ => {}
                }
            }
            false
        })
        .collect()
}

/// Test hook: `RLSCOPE_TEST_PANIC_PATH=<text>` makes checking any file whose path contains `<text>` panic,
/// so tests can show that an engine panic costs only that file's result.
fn fault_injected(path: &Path) -> bool {
    static PATTERN: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    PATTERN
        .get_or_init(|| {
            std::env::var("RLSCOPE_TEST_PANIC_PATH")
                .ok()
                .filter(|p| !p.is_empty())
        })
        .as_deref()
        .is_some_and(|p| path.to_string_lossy().contains(p))
}

fn guarded<T>(what: &str, path: &Path, f: impl FnOnce() -> T) -> Option<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => Some(v),
        Err(p) => {
            log_error!(
                "{what} panicked on {} (result dropped, server continues): {}",
                path.display(),
                crate::log::panic_message(p.as_ref())
            );
            None
        }
    }
}

impl State {
    fn config(&self) -> Config {
        self.settings.merge_over(&self.file_config)
    }

    fn handle_batch(&mut self, batch: Vec<Msg>) {
        let mut dirty: BTreeSet<PathBuf> = BTreeSet::new();
        // files whose client will ask again by itself (pull mode): the ones just edited
        let mut edited: BTreeSet<PathBuf> = BTreeSet::new();
        let mut closed: Vec<(Uri, PathBuf)> = Vec::new();
        let superseded = superseded_sets(&batch);
        for (msg, skip) in batch.into_iter().zip(superseded) {
            match msg {
                Msg::Set { .. } if skip => {}
                Msg::Set {
                    uri,
                    path,
                    version,
                    text,
                    tree,
                } => {
                    let t0 = std::time::Instant::now();
                    let changed = self.set_text_bounded(&path, text.clone(), tree.as_ref());
                    log_debug!(
                        "set_file {} v{version}: {:.2} ms, {} file(s) affected",
                        path.display(),
                        t0.elapsed().as_secs_f64() * 1e3,
                        changed.len()
                    );
                    self.open.insert(
                        path.clone(),
                        OpenDoc {
                            uri,
                            version,
                            text,
                            tree,
                        },
                    );
                    self.invalidate(&changed);
                    dirty.extend(changed);
                    dirty.insert(path.clone());
                    edited.insert(path);
                }
                Msg::Close { uri, path } => {
                    self.open.remove(&path);
                    let changed = self.reload_from_disk(&path);
                    self.invalidate(&changed);
                    dirty.extend(changed);
                    closed.push((uri, path));
                }
                Msg::Disk(changes) => {
                    for (path, kind) in changes {
                        let changed = self.disk_change(&path, kind);
                        self.invalidate(&changed);
                        dirty.extend(changed);
                    }
                }
                Msg::Settings(s) => {
                    self.settings = s;
                    let config = self.config();
                    let changed = guarded("set_config", &self.root.clone(), || {
                        self.ws.set_config(config)
                    })
                    .unwrap_or_default();
                    self.cache.clear();
                    dirty.extend(changed);
                    dirty.extend(self.open.keys().cloned());
                }
                Msg::Indexed(ws, roots) => {
                    self.roots = roots;
                    self.install_index(*ws);
                    dirty.extend(self.open.keys().cloned());
                }
                Msg::Query(q) => self.answer(q),
            }
        }
        let reopened: BTreeSet<_> = self.open.keys().cloned().collect();
        let open_dirty: Vec<PathBuf> = dirty
            .iter()
            .filter(|p| self.open.contains_key(*p))
            .cloned()
            .collect();
        if self.caps.pull_diagnostics {
            if open_dirty.iter().any(|p| !edited.contains(p)) && self.caps.diagnostic_refresh {
                let _ = self.out.send(Out::RefreshDiagnostics);
            }
        } else {
            for path in open_dirty {
                let t0 = std::time::Instant::now();
                let diagnostics = self.diagnostics(&path);
                log_debug!(
                    "check {}: {} diagnostic(s) in {:.2} ms",
                    path.display(),
                    diagnostics.len(),
                    t0.elapsed().as_secs_f64() * 1e3
                );
                let doc = &self.open[&path];
                let _ = self.out.send(Out::Publish {
                    uri: doc.uri.clone(),
                    diagnostics,
                    version: Some(doc.version),
                });
            }
        }
        for (uri, path) in closed {
            if !reopened.contains(&path) {
                let _ = self.out.send(Out::Publish {
                    uri,
                    diagnostics: Vec::new(),
                    version: None,
                });
            }
        }
    }

    fn invalidate(&mut self, paths: &[PathBuf]) {
        for p in paths {
            self.cache.remove(p);
        }
    }

    fn set_text(&mut self, path: &Path, text: Arc<str>, tree: Option<&Tree>) -> Vec<PathBuf> {
        let ws = &mut self.ws;
        guarded("set_file", path, || match tree {
            Some(t) => ws.set_file_parsed(path.to_path_buf(), text, t),
            None => ws.set_file(path.to_path_buf(), text),
        })
        .unwrap_or_else(|| vec![path.to_path_buf()])
    }

    /// A file's text: analysed, unless it is too large (then it leaves the workspace).
    fn set_text_bounded(
        &mut self,
        path: &Path,
        text: Arc<str>,
        tree: Option<&Tree>,
    ) -> Vec<PathBuf> {
        if text.len() <= MAX_ANALYSED_BYTES {
            return self.set_text(path, text, tree);
        }
        log_info!(
            "{} is larger than {} MiB: not analysed",
            path.display(),
            MAX_ANALYSED_BYTES >> 20
        );
        let ws = &mut self.ws;
        let mut changed = guarded("remove_file", path, || ws.remove_file(path)).unwrap_or_default();
        changed.push(path.to_path_buf());
        changed
    }

    fn in_roots(&self, path: &Path) -> bool {
        self.roots.iter().any(|r| path.starts_with(r))
    }

    /// A closed document goes back to its saved text (or out of the workspace).
    fn reload_from_disk(&mut self, path: &Path) -> Vec<PathBuf> {
        match std::fs::read_to_string(path) {
            Ok(text) if self.in_roots(path) => self.set_text_bounded(path, Arc::from(text), None),
            _ => {
                let ws = &mut self.ws;
                let mut changed =
                    guarded("remove_file", path, || ws.remove_file(path)).unwrap_or_default();
                changed.push(path.to_path_buf());
                changed
            }
        }
    }

    fn disk_change(&mut self, path: &Path, kind: DiskChange) -> Vec<PathBuf> {
        if path.file_name().and_then(|n| n.to_str()) == Some(rlscope_core::config::FILE_NAME) {
            let (file_config, warning) = settings::load_file_config(&self.root);
            if let Some(w) = warning {
                let _ = self.out.send(Out::ShowWarning(w));
            }
            self.file_config = file_config;
            let config = self.config();
            self.cache.clear();
            let ws = &mut self.ws;
            return guarded("set_config", path, || ws.set_config(config)).unwrap_or_default();
        }
        if self.open.contains_key(path) {
            // the editor's text wins over the disk's while the document is open
            return Vec::new();
        }
        match kind {
            DiskChange::Created | DiskChange::Changed => match std::fs::read_to_string(path) {
                Ok(text) => self.set_text_bounded(path, Arc::from(text), None),
                Err(_) => self.reload_from_disk(path),
            },
            DiskChange::Deleted => {
                let ws = &mut self.ws;
                guarded("remove_file", path, || ws.remove_file(path)).unwrap_or_default()
            }
        }
    }

    fn install_index(&mut self, mut ws: Workspace) {
        let config = self.config();
        let root = self.root.clone();
        let _ = guarded("set_config", &root, || ws.set_config(config));
        self.ws = ws;
        self.cache.clear();
        // the editors' texts win over what was read from disk
        let docs: Vec<(PathBuf, Arc<str>, Option<Tree>)> = self
            .open
            .iter()
            .map(|(p, d)| (p.clone(), d.text.clone(), d.tree.clone()))
            .collect();
        for (path, text, tree) in docs {
            self.set_text_bounded(&path, text, tree.as_ref());
        }
        log_info!("index ready: {} files", self.ws.files().len());
    }

    fn findings(&mut self, path: &Path) -> Arc<Vec<Finding>> {
        if let Some(f) = self.cache.get(path) {
            return f.clone();
        }
        let ws = &self.ws;
        let inject = fault_injected(path);
        let found = Arc::new(
            guarded("check_file", path, || {
                if inject {
                    panic!("injected fault (RLSCOPE_TEST_PANIC_PATH) while checking");
                }
                ws.check_file(path)
            })
            .unwrap_or_default(),
        );
        self.cache.insert(path.to_path_buf(), found.clone());
        found
    }

    fn text_of(&self, path: &Path) -> Option<(Arc<str>, Arc<LineIndex>)> {
        Some((self.ws.source(path)?, self.ws.line_index(path)?))
    }

    fn diagnostics(&mut self, path: &Path) -> Vec<Diagnostic> {
        let findings = self.findings(path);
        let Some((text, index)) = self.text_of(path) else {
            return Vec::new();
        };
        let version = self.open.get(path).map(|d| d.version);
        let t = TextRef {
            text: &text,
            index: &index,
        };
        let other = |p: &Path| self.text_of(p);
        findings
            .iter()
            .map(|f| convert::diagnostic(f, path, t, version, self.enc, &self.caps, &other))
            .collect()
    }

    fn answer(&mut self, q: Query) {
        match q {
            Query::Hover {
                path,
                offset,
                reply,
            } => {
                if reply.is_closed() {
                    return;
                }
                let _ = reply.send(self.hover(&path, offset));
            }
            Query::Definition {
                path,
                offset,
                reply,
            } => {
                if reply.is_closed() {
                    return;
                }
                let _ = reply.send(self.definition(&path, offset));
            }
            Query::References {
                path,
                offset,
                include_declaration,
                reply,
            } => {
                if reply.is_closed() {
                    return;
                }
                let _ = reply.send(self.references(&path, offset, include_declaration));
            }
            Query::InlayHints { path, range, reply } => {
                if reply.is_closed() {
                    return;
                }
                let _ = reply.send(self.inlay_hints(&path, range));
            }
            Query::Diagnostics { path, reply } => {
                if reply.is_closed() {
                    return;
                }
                let _ = reply.send(self.diagnostics(&path));
            }
            Query::WorkspaceDiagnostics { reply } => {
                let files: Vec<PathBuf> = self
                    .ws
                    .files()
                    .into_iter()
                    .filter(|p| !self.open.contains_key(p))
                    .collect();
                let mut items = Vec::new();
                for path in files {
                    if reply.is_closed() {
                        return;
                    }
                    let Some(uri) = Uri::from_file_path(&path) else {
                        continue;
                    };
                    let diagnostics = self.diagnostics(&path);
                    items.push(WorkspaceDocumentDiagnosticReport::Full(
                        WorkspaceFullDocumentDiagnosticReport {
                            uri,
                            version: None,
                            full_document_diagnostic_report: FullDocumentDiagnosticReport {
                                result_id: None,
                                items: diagnostics,
                            },
                        },
                    ));
                }
                let _ = reply.send(items);
            }
            Query::FixAll { path, reply } => {
                let findings = self.findings(&path);
                let version = self.open.get(&path).map(|d| d.version);
                let edits = match self.text_of(&path) {
                    Some((text, index)) => {
                        let t = TextRef {
                            text: &text,
                            index: &index,
                        };
                        convert::fix_all_edits(&findings)
                            .into_iter()
                            .map(|e| TextEdit {
                                range: t.range(e.range, self.enc),
                                new_text: e.replacement,
                            })
                            .collect()
                    }
                    None => Vec::new(),
                };
                let _ = reply.send((version, edits));
            }
        }
    }

    /// Where the name at `offset` is defined (a table name in SQL: its `CREATE TABLE`).
    fn definition(&mut self, path: &Path, offset: u32) -> Option<Location> {
        let ws = &self.ws;
        let (target, range) =
            guarded("definition", path, || ws.definition(path, offset)).flatten()?;
        let (text, index) = self.text_of(&target)?;
        let t = TextRef {
            text: &text,
            index: &index,
        };
        Some(Location {
            uri: Uri::from_file_path(&target)?,
            range: t.range(range, self.enc),
        })
    }

    /// The requests in code that touch the table (or function) named at `offset` of a SQL file.
    fn references(&mut self, path: &Path, offset: u32, include_declaration: bool) -> Vec<Location> {
        let ws = &self.ws;
        let found = guarded("references", path, || {
            ws.references(path, offset, include_declaration)
        })
        .unwrap_or_default();
        found
            .into_iter()
            .filter_map(|(target, range)| {
                let (text, index) = self.text_of(&target)?;
                let t = TextRef {
                    text: &text,
                    index: &index,
                };
                Some(Location {
                    uri: Uri::from_file_path(&target)?,
                    range: t.range(range, self.enc),
                })
            })
            .collect()
    }

    fn hover(&mut self, path: &Path, offset: u32) -> Option<Hover> {
        let (text, index) = self.text_of(path)?;
        let t = TextRef {
            text: &text,
            index: &index,
        };
        let findings = self.findings(path);
        // the innermost finding under the cursor
        let on = findings
            .iter()
            .filter(|f| f.range.touches(offset))
            .min_by_key(|f| f.range.len());
        let ws = &self.ws;
        let role = guarded("hover", path, || ws.hover(path, offset)).flatten();
        let (range, markdown) = if let Some(f) = on {
            // the role (when the finding covers a request) and the rule's docs; the editor already shows
            // the diagnostic's message itself
            let mut md = String::new();
            if let Some(h) = &role {
                md.push_str(&h.markdown);
                md.push_str("\n\n---\n\n");
            }
            match rlscope_engine::rules::by_id(f.rule) {
                Some(meta) => md.push_str(&rlscope_engine::rules::render_markdown(meta)),
                None => md.push_str(&format!("**{}**: {}", f.rule, f.message)),
            }
            (f.range, md)
        } else {
            let h = role?;
            (h.range, h.markdown)
        };
        let markdown = redact_secrets_in(&markdown);
        let (kind, value) = if self.caps.markdown_hover {
            (MarkupKind::Markdown, markdown.into_owned())
        } else {
            (
                MarkupKind::PlainText,
                crate::plain::markdown_to_plain(&markdown),
            )
        };
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent { kind, value }),
            range: Some(t.range(range, self.enc)),
        })
    }

    fn inlay_hints(&mut self, path: &Path, range: TextRange) -> Vec<InlayHint> {
        let Some((text, index)) = self.text_of(path) else {
            return Vec::new();
        };
        let t = TextRef {
            text: &text,
            index: &index,
        };
        let ws = &self.ws;
        let hints = guarded("inlay_hints", path, || ws.inlay_hints(path)).unwrap_or_default();
        hints
            .into_iter()
            .filter(|h| range.touches(h.offset))
            .map(|h| InlayHint {
                position: t.position(h.offset, self.enc),
                label: InlayHintLabel::String(redact_secrets_in(h.label.trim()).into_owned()),
                kind: None,
                text_edits: None,
                tooltip: (!h.tooltip.is_empty()).then(|| {
                    InlayHintTooltip::MarkupContent(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: redact_secrets_in(&h.tooltip).into_owned(),
                    })
                }),
                padding_left: Some(true),
                padding_right: None,
                data: None,
            })
            .collect()
    }
}
