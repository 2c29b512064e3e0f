//! The byte prefilter: which script files can matter, decided without parsing.
//!
//! A file can only yield a finding if it mentions Supabase, a key-like env name, a key literal, or a
//! configured factory — or if it imports such a file (a wrapper, a re-export, a client). So: seeds = files
//! matching the patterns (one Aho-Corasick pass), plus every file that reaches a seed through imports. Only
//! those are parsed up front and checked. A file outside that set that evaluation follows an import into
//! (a helper like `requireEnv(name)`) is parsed on first use (`Snapshot::ir`), so findings equal those of a
//! full parse. `--no-prefilter` parses everything, and tests check both agree.
//!
//! This module is the byte part: the seeds and the import edges found by scanning text. Which importers of
//! a seed join is decided by evaluating the seed's exports, in `relevance`.
//!
//! **Architecture invariant:** the prefilter reads bytes only: it neither parses nor evaluates.

use std::collections::HashMap;

use aho_corasick::AhoCorasick;
use rayon::prelude::*;
use rlscope_core::config::Config;

use crate::db::{FileId, Snapshot};
use crate::resolve::Resolved;

pub struct Prefilter {
    ac: AhoCorasick,
}

const PATTERNS: &[&str] = &[
    "supabase",
    "service_role",
    "service_key",
    "secret_key",
    "anon_key",
    "publishable_key",
    "eyJ", // EYJ
    "sb_secret_",
    "sb_publishable_",
    "$env/",
    // NestJS: a class that is injected a client, a provider that builds one
    "@Inject(",
    "useFactory",
];

/// The index of `eyJ` in [`PATTERNS`].
const EYJ: usize = 6;

impl Prefilter {
    pub fn new<'a>(config: &Config, env_names: impl Iterator<Item = &'a str>) -> Prefilter {
        let mut pats: Vec<String> = PATTERNS.iter().map(|s| s.to_string()).collect();
        pats.extend(config.client_factories.iter().cloned());
        pats.extend(config.service_env_names.iter().cloned());
        pats.extend(config.anon_env_names.iter().cloned());
        pats.extend(env_names.map(str::to_owned));
        let ac = aho_corasick::AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(&pats)
            .expect("patterns");
        Prefilter { ac }
    }

    /// Whether `text` mentions a pattern. Names match in any case; a JWT's `eyJ` only as written and where a
    /// token starts (else every `surveyJob` or `keyJson` would pull its file in).
    pub fn is_seed(&self, text: &str) -> bool {
        self.ac.find_overlapping_iter(text).any(|m| {
            m.pattern().as_usize() != EYJ
                || (text.get(m.range()) == Some(PATTERNS[EYJ])
                    && !text.as_bytes()[..m.start()]
                        .last()
                        .is_some_and(|b| b.is_ascii_alphanumeric()))
        })
    }

    /// The seeds (files matching the patterns) and, for every script, the scripts that import it.
    pub fn seeds(
        &self,
        snap: &Snapshot<'_>,
        scripts: &[FileId],
    ) -> (Vec<FileId>, HashMap<FileId, Vec<FileId>>) {
        let scanned: Vec<(FileId, bool, Vec<FileId>)> = scripts
            .par_iter()
            .map(|&id| {
                let text = snap.text(id);
                let seed = self.is_seed(text);
                let deps = scan_specifiers(text)
                    .into_iter()
                    .filter_map(|s| match snap.resolve(id, s) {
                        Resolved::File(p) => snap.file_id(&p),
                        Resolved::External => None,
                    })
                    .collect();
                (id, seed, deps)
            })
            .collect();
        let mut rdeps: HashMap<FileId, Vec<FileId>> = HashMap::new();
        for (id, _, ds) in &scanned {
            for d in ds {
                rdeps.entry(*d).or_default().push(*id);
            }
        }
        let seeds = scanned
            .iter()
            .filter(|(_, s, _)| *s)
            .map(|(id, ..)| *id)
            .collect();
        (seeds, rdeps)
    }
}

/// Module specifiers in a file, found without parsing: the string after `from`, `import`, `require(` or
/// `import(`. A superset of what lowering records (comments and strings may add false ones).
pub fn scan_specifiers(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for kw in ["from", "import", "require"] {
        for at in memchr::memmem::find_iter(b, kw.as_bytes()) {
            let mut i = at + kw.len();
            while i < b.len()
                && (b[i] == b' ' || b[i] == b'\t' || b[i] == b'\n' || b[i] == b'\r' || b[i] == b'(')
            {
                i += 1;
            }
            let Some(&q) = b.get(i) else { continue };
            if q != b'\'' && q != b'"' && q != b'`' {
                continue;
            }
            let start = i + 1;
            let mut j = start;
            while j < b.len() && j - start < 512 && b[j] != q && b[j] != b'\n' {
                j += 1;
            }
            if b.get(j) == Some(&q) {
                if let Some(s) = text.get(start..j) {
                    out.push(s);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwt_prefix_counts_only_where_a_token_starts() {
        assert_eq!(PATTERNS[EYJ], "eyJ");
        let pre = Prefilter::new(&Config::default(), std::iter::empty());
        assert!(pre.is_seed("const t = 'eyJhbGciOi'"));
        assert!(pre.is_seed("Authorization: `Bearer eyJhbGciOi`"));
        assert!(pre.is_seed("eyJhbGciOi"));
        assert!(!pre.is_seed("const surveyJob = keyJson(EYJ)"));
        assert!(pre.is_seed("const surveyJob = 1; // uses SUPABASE"));
        assert!(pre.is_seed("process.env.Service_Role"));
        // a rejected `eyj` does not hide a real pattern overlapping it
        assert!(pre.is_seed("surveyJob = 'eyJhbGciOi'"));
    }
}
