//! The client's capabilities, read once in `initialize`, and the position encoding negotiated there.

use rlscope_core::PositionEncoding;
use tower_lsp_server::ls_types::{ClientCapabilities, PositionEncodingKind};

#[derive(Clone, Debug, Default)]
pub struct Caps {
    pub related_information: bool,
    pub unnecessary_tag: bool,
    /// `textDocument/diagnostic` + `workspace/diagnostic/refresh`: the client pulls; we do not push.
    pub pull_diagnostics: bool,
    pub diagnostic_refresh: bool,
    pub work_done_progress: bool,
    pub configuration: bool,
    pub watched_files_dynamic: bool,
    pub code_action_literals: bool,
    pub document_changes: bool,
    pub inlay_hint_refresh: bool,
    pub markdown_hover: bool,
}

impl Caps {
    pub fn from_client(c: &ClientCapabilities) -> Caps {
        let td = c.text_document.as_ref();
        let ws = c.workspace.as_ref();
        let publish = td.and_then(|t| t.publish_diagnostics.as_ref());
        let pull = td.and_then(|t| t.diagnostic.as_ref());
        let refresh = ws
            .and_then(|w| w.diagnostics.as_ref())
            .and_then(|d| d.refresh_support)
            .unwrap_or(false);
        Caps {
            related_information: publish.and_then(|p| p.related_information).unwrap_or(false)
                || pull.and_then(|p| p.related_information).unwrap_or(false),
            unnecessary_tag: publish
                .and_then(|p| p.tag_support.as_ref())
                .is_some_and(|t| {
                    t.value_set
                        .contains(&tower_lsp_server::ls_types::DiagnosticTag::UNNECESSARY)
                })
                || pull.and_then(|p| p.tag_support.as_ref()).is_some(),
            // Findings depend on other files: pulling only works if we can tell the client to pull again
            // (`workspace/diagnostic/refresh`). Neovim 0.11 pulls but cannot be refreshed: it gets pushes.
            pull_diagnostics: pull.is_some() && refresh,
            diagnostic_refresh: refresh,
            work_done_progress: c
                .window
                .as_ref()
                .and_then(|w| w.work_done_progress)
                .unwrap_or(false),
            configuration: ws.and_then(|w| w.configuration).unwrap_or(false),
            watched_files_dynamic: ws
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            code_action_literals: td
                .and_then(|t| t.code_action.as_ref())
                .is_some_and(|a| a.code_action_literal_support.is_some()),
            document_changes: ws
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.document_changes)
                .unwrap_or(false),
            inlay_hint_refresh: ws
                .and_then(|w| w.inlay_hint.as_ref())
                .and_then(|i| i.refresh_support)
                .unwrap_or(false),
            markdown_hover: td
                .and_then(|t| t.hover.as_ref())
                .and_then(|h| h.content_format.as_ref())
                .is_none_or(|f| f.contains(&tower_lsp_server::ls_types::MarkupKind::Markdown)),
        }
    }
}

/// utf-8 if the client offers it, else utf-32, else utf-16 (LSP's default, always supported).
pub fn negotiate_encoding(c: &ClientCapabilities) -> PositionEncoding {
    let offered = c
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    let has = |k: &PositionEncodingKind| offered.is_some_and(|o| o.contains(k));
    if has(&PositionEncodingKind::UTF8) {
        PositionEncoding::Utf8
    } else if has(&PositionEncodingKind::UTF32) {
        PositionEncoding::Utf32
    } else {
        PositionEncoding::Utf16
    }
}

pub fn encoding_kind(e: PositionEncoding) -> PositionEncodingKind {
    match e {
        PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
        PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
        PositionEncoding::Utf32 => PositionEncodingKind::UTF32,
    }
}
