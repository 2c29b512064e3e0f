//! A request with its places resolved to paths and lines, and the one-line rendering of a role: what
//! `rlscope roles` prints.

use crate::db::{FileId, Snapshot};
use crate::role::{EvidenceKind, Role, UserVia};

use super::{requests, RequestKind};

/// A place in the workspace: a path and a 1-based line and column (in characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub path: std::path::PathBuf,
    pub line: u32,
    pub column: u32,
}

/// One piece of evidence for a request's role, placed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacedEvidence {
    pub kind: EvidenceKind,
    pub place: Place,
    pub text: String,
}

/// A request with its places resolved to paths and lines (what `rlscope roles` prints).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestReport {
    /// The request's method (`from`, `rpc`, `invoke`, the storage operation, the admin method).
    pub place: Place,
    pub kind: RequestKind,
    pub role: Role,
    pub decided_by: EvidenceKind,
    pub client: Place,
    pub evidence: Vec<PlacedEvidence>,
}

/// The stable name of an evidence kind: `client`, `key`, `header`, `access_token`, `cookie`, `session`.
pub fn evidence_label(kind: EvidenceKind) -> &'static str {
    match kind {
        EvidenceKind::ClientBuilt => "client",
        EvidenceKind::Key => "key",
        EvidenceKind::Header => "header",
        EvidenceKind::AccessToken => "access_token",
        EvidenceKind::Cookie => "cookie",
        EvidenceKind::SessionCall => "session",
    }
}

/// The role in one line of plain text (for `rlscope roles`, inlay hints and plaintext hovers).
pub fn one_line(role: &Role) -> String {
    match role {
        Role::ServiceRole => "service_role (bypasses RLS)".into(),
        Role::User { via } => match via {
            UserVia::Header => {
                "the signed-in user (RLS applies): the Authorization header's token".into()
            }
            UserVia::HeaderToken => {
                "the user of the Authorization header's token (RLS applies)".into()
            }
            UserVia::Key => "the user whose token is the key (RLS applies)".into(),
            UserVia::SessionCookie => {
                "the signed-in user of the session cookie (RLS applies)".into()
            }
            UserVia::Session => {
                "the signed-in user (RLS applies): the session stored in the client".into()
            }
        },
        Role::Anon => "anon (RLS applies)".into(),
        Role::Depends { cases, .. } => {
            let parts: Vec<String> = cases
                .iter()
                .map(|(when, r)| format!("{} {when}", short(r)))
                .collect();
            format!("depends: {}", parts.join(", "))
        }
        Role::ThirdParty => {
            "the user of the `accessToken` callback's token (RLS applies; supabase-js before 2.45 \
ignores the option and sends the key)"
                .into()
        }
        Role::Unknown { why } => format!("unknown: {why}"),
    }
}

fn short(role: &Role) -> &'static str {
    match role {
        Role::ServiceRole => "service_role",
        Role::User { .. } | Role::ThirdParty => "the signed-in user",
        Role::Anon => "anon",
        Role::Depends { .. } => "depends",
        Role::Unknown { .. } => "unknown",
    }
}

fn place(snap: &Snapshot, file: FileId, offset: u32) -> Place {
    let text = snap.text(file);
    let (line, column) = match snap.line_index(file) {
        Some(li) => {
            let line = li.line_of(offset);
            let start = li.line_range(text, line).start as usize;
            let col = text
                .get(start..offset as usize)
                .map_or(0, |s| s.chars().count());
            (line + 1, col as u32 + 1)
        }
        None => (1, 1),
    };
    Place {
        path: snap.path(file).to_path_buf(),
        line,
        column,
    }
}

/// Every request in a file, with its places resolved (what `Workspace::requests` returns).
pub(crate) fn reports(snap: &Snapshot, file: FileId) -> Vec<RequestReport> {
    crate::panic_guard::catch_panic(|| requests(snap, file))
        .unwrap_or_default()
        .into_iter()
        .map(|r| RequestReport {
            place: place(snap, file, r.name_range.start),
            client: place(snap, r.client.file, r.client.range.start),
            evidence: r
                .role
                .evidence
                .iter()
                .map(|e| PlacedEvidence {
                    kind: e.kind,
                    place: place(snap, e.loc.file, e.loc.range.start),
                    text: e.text.clone(),
                })
                .collect(),
            kind: r.kind,
            role: r.role.role,
            decided_by: r.role.decided_by,
        })
        .collect()
}
