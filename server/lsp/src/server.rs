//! The `LanguageServer` implementation: a thin adapter between LSP and the analysis thread.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use dashmap::DashMap;
use rlscope_core::PositionEncoding;
use rlscope_engine::document::Document;
use rlscope_engine::{Lang, LoadOptions, Workspace};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, ClientSocket, LanguageServer, LspService};

use crate::analysis::{self, DiskChange, Msg, Out, Query};
use crate::caps::{self, Caps};
use crate::convert::{DiagnosticData, TextRef, SOURCE};
use crate::log::{log_debug, log_info, log_warn};
use crate::settings::{self, Settings};

pub const FIX_ALL_KIND: &str = "source.fixAll.rlscope";
const WATCH_REGISTRATION_ID: &str = "rlscope-watched-files";

/// Files whose change on disk matters: configuration, env values, path aliases, workspace packages, and
/// sources not open.
pub const WATCH_GLOBS: &[&str] = &[
    "**/.env*",
    "**/tsconfig*.json",
    "**/jsconfig.json",
    "**/package.json",
    "**/rlscope.toml",
    "**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs,sql}",
];

struct Doc {
    path: PathBuf,
    version: i32,
    doc: Document,
}

struct Init {
    enc: PositionEncoding,
    caps: Caps,
    /// The workspace folders; they change with `workspace/didChangeWorkspaceFolders`.
    roots: Mutex<Vec<PathBuf>>,
    /// Which indexing run is the latest: an older run that finishes later is dropped.
    index_generation: AtomicU64,
    /// The first folder: where `rlscope.toml` is looked up.
    root: PathBuf,
    tx: std::sync::mpsc::Sender<Msg>,
}

/// The server; cheap to clone into background tasks.
pub struct Backend(Arc<Inner>);

pub struct Inner {
    client: Client,
    init: OnceLock<Init>,
    docs: DashMap<Uri, Doc>,
    settings: Mutex<Settings>,
    shutdown: Arc<AtomicBool>,
}

impl std::ops::Deref for Backend {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

pub fn build_service() -> (LspService<Backend>, ClientSocket) {
    LspService::new(|client| {
        Backend(Arc::new(Inner {
            client,
            init: OnceLock::new(),
            docs: DashMap::new(),
            settings: Mutex::new(Settings::default()),
            shutdown: Arc::new(AtomicBool::new(false)),
        }))
    })
}

fn unknown_document(uri: &Uri) -> Error {
    Error::invalid_params(format!("unknown document: {}", uri.as_str()))
}

/// The path a document URI stands for (file URIs; others get a path the engine will not analyse).
fn uri_to_path(uri: &Uri) -> PathBuf {
    let is_file = uri.scheme().as_str().eq_ignore_ascii_case("file");
    match uri.to_file_path() {
        Some(p) if is_file && p.is_absolute() => {
            let p = p.into_owned();
            std::fs::canonicalize(&p).unwrap_or(p)
        }
        _ => PathBuf::from(format!(
            "/\u{0}rlscope-virtual/{}",
            uri.as_str().replace(['/', ':'], "_")
        )),
    }
}

fn kind_wanted(only: &Option<Vec<CodeActionKind>>, kind: &CodeActionKind) -> bool {
    match only {
        None => true,
        Some(list) => list.iter().any(|o| {
            kind.as_str() == o.as_str() || kind.as_str().starts_with(&format!("{}.", o.as_str()))
        }),
    }
}

impl Inner {
    /// The version and text held for an open document (for tests and debugging).
    #[doc(hidden)]
    pub fn document_snapshot(&self, uri: &Uri) -> Option<(i32, String)> {
        self.docs
            .get(uri)
            .map(|d| (d.version, d.doc.text().to_string()))
    }

    /// Set when `shutdown` was received (the exit code depends on it).
    pub fn shutdown_flag(&self) -> Arc<AtomicBool> {
        self.shutdown.clone()
    }

    fn send(&self, msg: Msg) {
        if let Some(init) = self.init.get() {
            if init.tx.send(msg).is_err() {
                log_warn!("the analysis thread is gone; message dropped");
            }
        }
    }

    async fn query<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> Query) -> Option<T> {
        let (tx, rx) = oneshot::channel();
        self.send(Msg::Query(make(tx)));
        rx.await.ok()
    }

    fn enc(&self) -> PositionEncoding {
        self.init
            .get()
            .map(|i| i.enc)
            .unwrap_or(PositionEncoding::Utf16)
    }

    fn caps(&self) -> Caps {
        self.init.get().map(|i| i.caps.clone()).unwrap_or_default()
    }

    /// The document's path and the byte offset of `pos` in its current text.
    fn locate(&self, uri: &Uri, pos: Position) -> Result<(PathBuf, u32)> {
        let enc = self.enc();
        let d = self.docs.get(uri).ok_or_else(|| unknown_document(uri))?;
        let offset = TextRef {
            text: d.doc.text(),
            index: d.doc.line_index(),
        }
        .offset(pos, enc);
        Ok((d.path.clone(), offset))
    }

    fn workspace_edit(
        &self,
        uri: &Uri,
        version: Option<i32>,
        edits: Vec<TextEdit>,
    ) -> WorkspaceEdit {
        if self.caps().document_changes {
            WorkspaceEdit {
                document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier {
                        uri: uri.clone(),
                        version,
                    },
                    edits: edits.into_iter().map(OneOf::Left).collect(),
                }])),
                ..WorkspaceEdit::default()
            }
        } else {
            WorkspaceEdit {
                changes: Some(HashMap::from([(uri.clone(), edits)])),
                ..WorkspaceEdit::default()
            }
        }
    }

    /// The client's "rlscope" settings: pulled with `workspace/configuration` when it can, else the pushed
    /// ones. `None` (nothing usable, e.g. a null section) keeps the current settings, which start as the
    /// `initializationOptions`.
    async fn fetch_settings(&self, pushed: Option<&Value>) -> Option<Settings> {
        if self.caps().configuration {
            let items = vec![ConfigurationItem {
                scope_uri: None,
                section: Some("rlscope".into()),
            }];
            match self.client.configuration(items).await {
                Ok(values) => {
                    if let Some(v) = values.first().filter(|v| v.is_object()) {
                        return Some(Settings::from_json(v));
                    }
                }
                Err(e) => log_warn!("workspace/configuration failed: {}", e.message),
            }
        }
        pushed.filter(|v| v.is_object()).map(Settings::from_json)
    }

    /// Fetches settings and hands them to the analysis; refreshes inlay hints when their toggle changed.
    async fn apply_settings(&self, pushed: Option<&Value>) {
        let Some(new) = self.fetch_settings(pushed).await else {
            return;
        };
        let old = {
            let mut s = self.settings.lock().unwrap_or_else(|e| e.into_inner());
            std::mem::replace(&mut *s, new.clone())
        };
        if old == new {
            return;
        }
        let inlay_changed = old.inlay_hints != new.inlay_hints;
        self.send(Msg::Settings(new));
        if inlay_changed && self.caps().inlay_hint_refresh {
            let _ = self.client.inlay_hint_refresh().await;
        }
    }

    async fn register_watchers(&self) {
        let watchers = WATCH_GLOBS
            .iter()
            .map(|g| FileSystemWatcher {
                glob_pattern: GlobPattern::String((*g).to_string()),
                kind: None,
            })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let registration = Registration {
            id: WATCH_REGISTRATION_ID.into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(options).ok(),
        };
        if let Err(e) = self.client.register_capability(vec![registration]).await {
            log_warn!("could not register file watchers: {}", e.message);
        }
    }

    /// Reads every workspace folder on a blocking thread, then hands the index to the analysis thread.
    async fn index_workspace(&self) {
        let Some(init) = self.init.get() else { return };
        let roots = init.roots.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let generation = init.index_generation.fetch_add(1, Ordering::SeqCst) + 1;
        // at start-up without folders there is nothing to index; after the last folder is removed, the
        // (empty) index replaces the old one
        if roots.is_empty() && generation == 1 {
            return;
        }
        // index at once: a client that answers `window/workDoneProgress/create` late (or never) must not
        // hold the index back; progress is reported only once the client has confirmed the token
        let index = async {
            let root = init.root.clone();
            let index_roots = roots.clone();
            let settings = self
                .settings
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            let started = std::time::Instant::now();
            let built = tokio::task::spawn_blocking(move || {
                let (file_config, _) = settings::load_file_config(&root);
                let mut ws = Workspace::new(root, settings.merge_over(&file_config));
                let errors = ws.load_paths(&index_roots, &LoadOptions::default());
                (ws, errors)
            })
            .await;
            let message = match built {
                Ok((ws, errors)) => {
                    for e in errors.iter().take(20) {
                        log_warn!("{}: {}", e.path.display(), e.message);
                    }
                    let n = ws.files().len();
                    log_info!("indexed {n} files in {} ms", started.elapsed().as_millis());
                    if init.index_generation.load(Ordering::SeqCst) == generation {
                        self.send(Msg::Indexed(Box::new(ws), roots));
                    } else {
                        log_debug!("index of an older set of folders dropped");
                    }
                    format!("{n} files")
                }
                Err(e) => {
                    log_warn!("indexing failed (server continues with open files only): {e}");
                    "indexing failed".into()
                }
            };

            message
        };
        let wants_progress = init.caps.work_done_progress;
        let client = self.client.clone();
        let mut progress = Box::pin(async move {
            if !wants_progress {
                return None;
            }
            let token = NumberOrString::String(format!("rlscope-index-{generation}"));
            client.create_work_done_progress(token.clone()).await.ok()?;
            Some(
                client
                    .progress(token, "rlscope")
                    .with_message("indexing the workspace")
                    .begin()
                    .await,
            )
        });
        tokio::pin!(index);
        tokio::select! {
            biased;
            message = &mut index => {
                // indexed before the client confirmed the token: report begin and end once it does (a
                // client that never answers holds nothing back)
                tokio::spawn(async move {
                    let confirmed = tokio::time::timeout(std::time::Duration::from_secs(30), progress).await;
                    if let Ok(Some(p)) = confirmed {
                        p.finish_with_message(message).await;
                    }
                });
            }
            p = &mut progress => {
                let message = index.await;
                if let Some(p) = p {
                    p.finish_with_message(message).await;
                }
            }
        }
    }
}

/// A pull report's `resultId`: a digest of exactly what is reported, so a client asking again with the id of
/// what it already shows gets `unchanged` instead of the same list again.
fn result_id(items: &[Diagnostic]) -> String {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut h = DefaultHasher::new();
    serde_json::to_vec(items).unwrap_or_default().hash(&mut h);
    format!("{:016x}", h.finish())
}

async fn forward_out(client: Client, mut rx: mpsc::UnboundedReceiver<Out>) {
    while let Some(out) = rx.recv().await {
        match out {
            Out::Publish {
                uri,
                diagnostics,
                version,
            } => client.publish_diagnostics(uri, diagnostics, version).await,
            Out::RefreshDiagnostics => {
                let _ = client.workspace_diagnostic_refresh().await;
            }
            Out::ShowWarning(m) => client.show_message(MessageType::WARNING, m).await,
        }
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let enc = caps::negotiate_encoding(&params.capabilities);
        let caps = Caps::from_client(&params.capabilities);
        #[allow(deprecated)]
        let mut roots: Vec<PathBuf> = match (&params.workspace_folders, &params.root_uri) {
            (Some(folders), _) if !folders.is_empty() => {
                folders.iter().map(|f| uri_to_path(&f.uri)).collect()
            }
            (_, Some(uri)) => vec![uri_to_path(uri)],
            _ => Vec::new(),
        };
        roots.retain(|r| r.is_dir());
        let root = roots
            .first()
            .cloned()
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("/"));
        let settings = params
            .initialization_options
            .as_ref()
            .map(Settings::from_json)
            .unwrap_or_default();
        *self.settings.lock().unwrap_or_else(|e| e.into_inner()) = settings.clone();
        let (file_config, warning) = if roots.is_empty() {
            Default::default()
        } else {
            settings::load_file_config(&root)
        };
        let (out_tx, out_rx) = mpsc::unbounded_channel();
        if let Some(w) = warning {
            let _ = out_tx.send(Out::ShowWarning(w));
        }
        let tx = analysis::spawn(
            analysis::Setup {
                enc,
                caps: caps.clone(),
                roots: roots.clone(),
                root: root.clone(),
                file_config,
                settings,
            },
            out_tx,
        );
        tokio::spawn(forward_out(self.client.clone(), out_rx));
        log_info!(
            "initialize: encoding {enc:?}, {} folder(s), {} diagnostics",
            roots.len(),
            if caps.pull_diagnostics {
                "pull"
            } else {
                "push"
            }
        );
        let pull = caps.pull_diagnostics;
        let literals = caps.code_action_literals;
        if self
            .init
            .set(Init {
                enc,
                caps,
                roots: Mutex::new(roots),
                index_generation: AtomicU64::new(0),
                root,
                tx,
            })
            .is_err()
        {
            return Err(Error::invalid_request());
        }
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(caps::encoding_kind(enc)),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        ..Default::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                code_action_provider: Some(if literals {
                    CodeActionProviderCapability::Options(CodeActionOptions {
                        code_action_kinds: Some(vec![
                            CodeActionKind::QUICKFIX,
                            CodeActionKind::from(FIX_ALL_KIND),
                        ]),
                        ..Default::default()
                    })
                } else {
                    CodeActionProviderCapability::Simple(true)
                }),
                inlay_hint_provider: Some(OneOf::Left(true)),
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(OneOf::Left(true)),
                    }),
                    file_operations: None,
                }),
                diagnostic_provider: pull.then(|| {
                    DiagnosticServerCapabilities::Options(DiagnosticOptions {
                        identifier: Some(SOURCE.into()),
                        inter_file_dependencies: true,
                        workspace_diagnostics: true,
                        work_done_progress_options: Default::default(),
                    })
                }),
                ..Default::default()
            },
            server_info: Some(ServerInfo {
                name: "rlscope".into(),
                version: Some(crate::server_version().into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let Some(init) = self.init.get() else { return };
        let watch = init.caps.watched_files_dynamic;
        // Everything here waits on the client or the disk: run it in the background so that no request
        // slot is held and nothing waits for the index.
        let inner = self.0.clone();
        tokio::spawn(async move {
            if watch {
                inner.register_watchers().await;
            }
            inner.apply_settings(None).await;
            inner.index_workspace().await;
        });
    }

    async fn shutdown(&self) -> Result<()> {
        self.shutdown.store(true, Ordering::SeqCst);
        log_info!("shutdown");
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let item = params.text_document;
        let path = uri_to_path(&item.uri);
        // A grammar-less language gives a Document without a syntax tree: used for files the engine does
        // not parse, and for huge ones (not analysed), so the handler never spends seconds parsing.
        let lang = match Lang::of(&path) {
            Some(l) if item.text.len() <= analysis::MAX_ANALYSED_BYTES => l,
            _ => Lang::DotEnv,
        };
        let doc = Document::new(lang, item.text);
        let msg = Msg::Set {
            uri: item.uri.clone(),
            path: path.clone(),
            version: item.version,
            text: Arc::from(doc.text()),
            tree: doc.tree().cloned(),
        };
        self.docs.insert(
            item.uri,
            Doc {
                path,
                version: item.version,
                doc,
            },
        );
        self.send(msg);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let enc = self.enc();
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let msg = {
            let Some(mut d) = self.docs.get_mut(&uri) else {
                log_warn!(
                    "didChange for a document that is not open: {}",
                    uri.as_str()
                );
                return;
            };
            if version < d.version {
                log_warn!(
                    "stale didChange ignored: version {version} < {} for {}",
                    d.version,
                    uri.as_str()
                );
                return;
            }
            let mut reparse = false;
            for change in params.content_changes {
                match change.range {
                    None => {
                        d.doc.replace_all(change.text);
                        reparse = false;
                    }
                    Some(range) => {
                        let r = TextRef {
                            text: d.doc.text(),
                            index: d.doc.line_index(),
                        }
                        .text_range(range, enc);
                        d.doc.apply_edit(r, &change.text);
                        reparse = true;
                    }
                }
            }
            if reparse {
                let t0 = std::time::Instant::now();
                d.doc.reparse();
                log_debug!("reparse: {:.2} ms", t0.elapsed().as_secs_f64() * 1e3);
            }
            d.version = version;
            Msg::Set {
                uri: uri.clone(),
                path: d.path.clone(),
                version,
                text: Arc::from(d.doc.text()),
                tree: d.doc.tree().cloned(),
            }
        };
        self.send(msg);
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        match self.docs.remove(&uri) {
            Some((uri, d)) => self.send(Msg::Close { uri, path: d.path }),
            None => log_warn!("didClose for a document that is not open: {}", uri.as_str()),
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        self.apply_settings(Some(&params.settings)).await;
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let Some(init) = self.init.get() else { return };
        {
            let mut roots = init.roots.lock().unwrap_or_else(|e| e.into_inner());
            for f in &params.event.removed {
                let path = uri_to_path(&f.uri);
                roots.retain(|r| *r != path);
            }
            for f in &params.event.added {
                let path = uri_to_path(&f.uri);
                if path.is_dir() && !roots.contains(&path) {
                    roots.push(path);
                }
            }
            log_info!("workspace folders changed: {} folder(s)", roots.len());
        }
        // re-index in the background; requests and edits go on against the current index meanwhile
        let inner = self.0.clone();
        tokio::spawn(async move { inner.index_workspace().await });
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let changes: Vec<(PathBuf, DiskChange)> = params
            .changes
            .into_iter()
            .filter(|c| c.uri.scheme().as_str().eq_ignore_ascii_case("file"))
            .filter_map(|c| {
                let path = c.uri.to_file_path()?.into_owned();
                let kind = match c.typ {
                    FileChangeType::CREATED => DiskChange::Created,
                    FileChangeType::DELETED => DiskChange::Deleted,
                    _ => DiskChange::Changed,
                };
                // deleted files cannot be canonicalized; their parent folder usually can
                let path = std::fs::canonicalize(&path).unwrap_or_else(|_| {
                    match (path.parent(), path.file_name()) {
                        (Some(dir), Some(name)) => std::fs::canonicalize(dir)
                            .map(|d| d.join(name))
                            .unwrap_or(path.clone()),
                        _ => path.clone(),
                    }
                });
                Some((path, kind))
            })
            .collect();
        log_debug!("{} watched file change(s)", changes.len());
        if !changes.is_empty() {
            self.send(Msg::Disk(changes));
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let p = params.text_document_position_params;
        let (path, offset) = self.locate(&p.text_document.uri, p.position)?;
        Ok(self
            .query(|reply| Query::Hover {
                path,
                offset,
                reply,
            })
            .await
            .flatten())
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        let (path, offset) = self.locate(&p.text_document.uri, p.position)?;
        Ok(self
            .query(|reply| Query::Definition {
                path,
                offset,
                reply,
            })
            .await
            .flatten()
            .map(GotoDefinitionResponse::Scalar))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let p = params.text_document_position;
        let (path, offset) = self.locate(&p.text_document.uri, p.position)?;
        let include_declaration = params.context.include_declaration;
        Ok(self
            .query(|reply| Query::References {
                path,
                offset,
                include_declaration,
                reply,
            })
            .await)
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let uri = params.text_document.uri;
        let (path, range) = {
            let d = self.docs.get(&uri).ok_or_else(|| unknown_document(&uri))?;
            let r = TextRef {
                text: d.doc.text(),
                index: d.doc.line_index(),
            }
            .text_range(params.range, self.enc());
            (d.path.clone(), r)
        };
        let enabled = self
            .settings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .inlay_hints;
        if !enabled {
            return Ok(Some(Vec::new()));
        }
        Ok(Some(
            self.query(|reply| Query::InlayHints { path, range, reply })
                .await
                .unwrap_or_default(),
        ))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        let (path, version) = {
            let d = self.docs.get(&uri).ok_or_else(|| unknown_document(&uri))?;
            (d.path.clone(), d.version)
        };
        let only = params.context.only;
        let mut actions: Vec<CodeActionOrCommand> = Vec::new();
        if kind_wanted(&only, &CodeActionKind::QUICKFIX) {
            for diag in &params.context.diagnostics {
                if diag.source.as_deref() != Some(SOURCE) {
                    continue;
                }
                let Some(data) = diag
                    .data
                    .clone()
                    .and_then(|d| serde_json::from_value::<DiagnosticData>(d).ok())
                else {
                    continue;
                };
                if data.version.is_some_and(|v| v != version) {
                    // the edits were computed for another text: offering them could corrupt the file
                    log_debug!("code action for a stale diagnostic skipped");
                    continue;
                }
                for fix in data.fixes {
                    let title = if fix.safe {
                        fix.title
                    } else {
                        format!("{} (unsafe)", fix.title)
                    };
                    actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                        title,
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: Some(vec![diag.clone()]),
                        edit: Some(self.workspace_edit(&uri, Some(version), fix.edits)),
                        is_preferred: Some(fix.safe),
                        ..Default::default()
                    }));
                }
                if let Some(edit) = data.ignore {
                    actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                        title: format!("Ignore {} on this line", data.rule),
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: Some(vec![diag.clone()]),
                        edit: Some(self.workspace_edit(&uri, Some(version), vec![edit])),
                        is_preferred: Some(false),
                        ..Default::default()
                    }));
                }
            }
        }
        let fix_all = CodeActionKind::from(FIX_ALL_KIND);
        if kind_wanted(&only, &fix_all) {
            if let Some((v, edits)) = self.query(|reply| Query::FixAll { path, reply }).await {
                if !edits.is_empty() && v.is_none_or(|v| v == version) {
                    actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                        title: "Fix all safe rlscope issues".into(),
                        kind: Some(fix_all),
                        edit: Some(self.workspace_edit(&uri, Some(version), edits)),
                        ..Default::default()
                    }));
                }
            }
        }
        Ok(Some(actions))
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let path = match self.docs.get(&uri) {
            Some(d) => d.path.clone(),
            None => uri_to_path(&uri),
        };
        let items = self
            .query(|reply| Query::Diagnostics { path, reply })
            .await
            .unwrap_or_default();
        let id = result_id(&items);
        let report = if params.previous_result_id.as_deref() == Some(id.as_str()) {
            DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                related_documents: None,
                unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                    result_id: id,
                },
            })
        } else {
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: Some(id),
                    items,
                },
            })
        };
        Ok(DocumentDiagnosticReportResult::Report(report))
    }

    async fn workspace_diagnostic(
        &self,
        params: WorkspaceDiagnosticParams,
    ) -> Result<WorkspaceDiagnosticReportResult> {
        let previous: HashMap<Uri, String> = params
            .previous_result_ids
            .into_iter()
            .map(|p| (p.uri, p.value))
            .collect();
        let items = self
            .query(|reply| Query::WorkspaceDiagnostics { reply })
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|report| match report {
                WorkspaceDocumentDiagnosticReport::Full(mut full) => {
                    let id = result_id(&full.full_document_diagnostic_report.items);
                    if previous.get(&full.uri) == Some(&id) {
                        return WorkspaceDocumentDiagnosticReport::Unchanged(
                            WorkspaceUnchangedDocumentDiagnosticReport {
                                uri: full.uri,
                                version: full.version,
                                unchanged_document_diagnostic_report:
                                    UnchangedDocumentDiagnosticReport { result_id: id },
                            },
                        );
                    }
                    full.full_document_diagnostic_report.result_id = Some(id);
                    WorkspaceDocumentDiagnosticReport::Full(full)
                }
                other => other,
            })
            .collect();
        Ok(WorkspaceDiagnosticReportResult::Report(
            WorkspaceDiagnosticReport { items },
        ))
    }
}
