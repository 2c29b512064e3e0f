//! Finding the policy statements of a file: top-level `CREATE POLICY` / `ALTER POLICY`, the same statements
//! written inside `DO` blocks (migrations wrap them in `IF NOT EXISTS (…) THEN … END IF`), and the SQL
//! that `DO` blocks build as strings and `EXECUTE` (`format('create policy %I on %I to service_role …', …)`
//! or `'create policy ' || quote_ident(t) || …`). PL/pgSQL function and procedure bodies are read like
//! `DO` bodies: what they create runs whenever they are called.
//!
//! Each piece of SQL lives in a [`Fragment`]: its text plus the way back to byte offsets of the file, so
//! every finding and every fix edit lands on the exact bytes of the original file, even inside a string
//! with doubled quotes.

use std::ops::Range;

use crate::lexer::{self, Token, TokenKind};

/// How many `DO` bodies / `EXECUTE` strings deep we look. Real migrations need two.
const MAX_NESTING: usize = 4;

pub struct Fragment {
    pub text: String,
    /// `None`: byte `i` of `text` is byte `i` of the file. Otherwise the file offset of every byte of
    /// `text`, plus one entry for the end.
    map: Option<Vec<u32>>,
    /// Ranges of `text` that stand for values computed at run time (`%I`, `' || name || '`).
    pub placeholders: Vec<Range<usize>>,
    /// The SQL is built at run time by a `DO` block (`EXECUTE`).
    pub dynamic: bool,
}

impl Fragment {
    pub fn file(text: &str) -> Fragment {
        Fragment {
            text: text.to_string(),
            map: None,
            placeholders: Vec::new(),
            dynamic: false,
        }
    }

    /// Whether this is the file's own text: byte `i` is byte `i` of the file, no placeholders, not built at
    /// run time.
    pub fn is_file_text(&self) -> bool {
        self.map.is_none() && self.placeholders.is_empty() && !self.dynamic
    }

    /// The file offset of byte `pos` of the fragment.
    pub fn to_file(&self, pos: usize) -> u32 {
        match &self.map {
            None => pos as u32,
            Some(map) => map[pos.min(map.len() - 1)],
        }
    }

    pub fn range_to_file(&self, r: Range<usize>) -> Range<u32> {
        self.to_file(r.start)..self.to_file(r.end)
    }

    /// Whether the fragment's text and the file's text agree byte for byte on `r` (no escapes, no
    /// placeholders), so an edit of `r` can be written into the file as is.
    pub fn is_verbatim(&self, r: Range<usize>) -> bool {
        if self
            .placeholders
            .iter()
            .any(|p| p.start < r.end && r.start < p.end)
        {
            return false;
        }
        match &self.map {
            None => true,
            Some(map) => {
                let s = map[r.start] as usize;
                r.clone().all(|i| map[i] as usize == s + (i - r.start))
                    && map[r.end] as usize == s + r.len()
            }
        }
    }

    /// Whether deleting `r` can be written as deleting one range of the file: no placeholders in it, and
    /// the file bytes behind it are contiguous apart from escapes (`''`, `\'`) inside one string.
    pub fn is_deletable(&self, r: Range<usize>) -> bool {
        if self.overlaps_placeholder(r.clone()) {
            return false;
        }
        match &self.map {
            None => true,
            Some(map) => r.clone().all(|i| {
                let step = map[i + 1].wrapping_sub(map[i]);
                step == 1 || (step == 2 && matches!(self.text.as_bytes()[i], b'\'' | b'\\'))
            }),
        }
    }

    pub fn overlaps_placeholder(&self, r: Range<usize>) -> bool {
        self.placeholders
            .iter()
            .any(|p| p.start < r.end && r.start < p.end)
    }
}

/// A policy statement: `range` (into `fragments[fragment].text`) runs from `CREATE`/`ALTER` to the end of
/// its `;` (or of the fragment).
pub struct PolicyStmt {
    pub fragment: usize,
    pub range: Range<usize>,
    /// Written as a top-level statement of the file (so deleting it is a plain edit).
    pub top_level: bool,
}

pub struct Scan {
    pub fragments: Vec<Fragment>,
    pub policies: Vec<PolicyStmt>,
}

/// Find every policy statement of `text`.
pub fn scan(text: &str) -> Scan {
    let mut s = Scan {
        fragments: vec![Fragment::file(text)],
        policies: Vec::new(),
    };
    scan_sql(&mut s, 0, 0);
    s
}

fn is_policy_start(toks: &[Token], i: usize, src: &str) -> bool {
    (toks[i].is_word(src, "create") || toks[i].is_word(src, "alter"))
        && toks.get(i + 1).is_some_and(|t| t.is_word(src, "policy"))
}

/// A piece of SQL made of statements (the file, or a string that is `EXECUTE`d).
fn scan_sql(s: &mut Scan, frag: usize, nesting: usize) {
    let src = std::mem::take(&mut s.fragments[frag].text);
    let toks = lexer::tokenize(&src);
    for stmt in lexer::statements(&toks) {
        let t = stmt.tokens;
        if t[0].is_word(&src, "do") {
            if nesting >= MAX_NESTING {
                continue;
            }
            // DO [LANGUAGE x] 'body' [LANGUAGE x]
            if let Some(body) = t[1..]
                .iter()
                .find(|t| matches!(t.kind, TokenKind::String | TokenKind::DollarString))
            {
                let language_ok = match t.iter().position(|t| t.is_word(&src, "language")) {
                    Some(i) => t.get(i + 1).is_some_and(|l| {
                        let l = l.text(&src).trim_matches(['\'', '"']);
                        l.eq_ignore_ascii_case("plpgsql")
                    }),
                    None => true,
                };
                if language_ok {
                    if let Some((content, map)) = lexer::string_content(&src, *body) {
                        let child = s.push_child(frag, content, &map, Vec::new(), false);
                        scan_plpgsql(s, child, nesting + 1);
                    }
                }
            }
        } else if let Some(body) = routine_body(&src, t) {
            // CREATE FUNCTION / PROCEDURE … LANGUAGE plpgsql AS $$ … $$: what the body creates, directly
            // or through EXECUTE, is created whenever it runs, like a DO block's.
            if nesting >= MAX_NESTING {
                continue;
            }
            if let Some((content, map)) = lexer::string_content(&src, body) {
                let child = s.push_child(frag, content, &map, Vec::new(), false);
                scan_plpgsql(s, child, nesting + 1);
            }
        } else {
            push_policies(s, frag, &src, t, stmt.range.end, frag == 0);
        }
    }
    s.fragments[frag].text = src;
}

/// The body of `CREATE [OR REPLACE] FUNCTION|PROCEDURE … AS 'body' | $$body$$ … LANGUAGE plpgsql` (the
/// clauses in any order), or `None` for another statement or another language.
fn routine_body(src: &str, t: &[Token]) -> Option<Token> {
    if !t[0].is_word(src, "create") {
        return None;
    }
    let mut i = 1;
    if t.get(i).is_some_and(|w| w.is_word(src, "or"))
        && t.get(i + 1).is_some_and(|w| w.is_word(src, "replace"))
    {
        i += 2;
    }
    if !t
        .get(i)
        .is_some_and(|w| w.is_word(src, "function") || w.is_word(src, "procedure"))
    {
        return None;
    }
    let lang = t.iter().position(|w| w.is_word(src, "language"))?;
    let l = t.get(lang + 1)?.text(src).trim_matches(['\'', '"']);
    if !l.eq_ignore_ascii_case("plpgsql") {
        return None;
    }
    let as_at = t.iter().position(|w| w.is_word(src, "as"))?;
    t.get(as_at + 1)
        .copied()
        .filter(|b| matches!(b.kind, TokenKind::String | TokenKind::DollarString))
}

/// Every `CREATE POLICY` / `ALTER POLICY` in `toks`. Each runs to the next one or to `end`: `CREATE` is a
/// reserved word, so a policy statement whose `;` was forgotten does not swallow the next one.
fn push_policies(
    s: &mut Scan,
    frag: usize,
    src: &str,
    toks: &[Token],
    end: usize,
    top_level: bool,
) {
    let starts: Vec<usize> = (0..toks.len())
        .filter(|&i| is_policy_start(toks, i, src))
        .collect();
    for (k, &i) in starts.iter().enumerate() {
        let stop = match starts.get(k + 1) {
            Some(&next) => toks[next - 1].end,
            None => end,
        };
        s.policies.push(PolicyStmt {
            fragment: frag,
            range: toks[i].start..stop,
            // Only a statement that is all of its `;`-terminated statement can be deleted on its own.
            top_level: top_level && i == 0 && k + 1 == starts.len(),
        });
    }
}

impl Scan {
    /// Add a fragment whose byte `i` is byte `map[i]` of fragment `parent`.
    fn push_child(
        &mut self,
        parent: usize,
        text: String,
        map: &[u32],
        placeholders: Vec<Range<usize>>,
        dynamic: bool,
    ) -> usize {
        let p = &self.fragments[parent];
        let file_map = map.iter().map(|&o| p.to_file(o as usize)).collect();
        let dynamic = dynamic || p.dynamic;
        self.fragments.push(Fragment {
            text,
            map: Some(file_map),
            placeholders,
            dynamic,
        });
        self.fragments.len() - 1
    }
}

/// A PL/pgSQL body: policy statements anywhere in it, and strings (or `||` chains of strings) that
/// mention `policy`, which are scanned as SQL of their own.
fn scan_plpgsql(s: &mut Scan, frag: usize, nesting: usize) {
    let src = s.fragments[frag].text.clone();
    let toks = lexer::tokenize(&src);
    for stmt in lexer::statements(&toks) {
        push_policies(s, frag, &src, stmt.tokens, stmt.range.end, false);
    }
    let mut i = 0;
    while i < toks.len() {
        let is_string = matches!(toks[i].kind, TokenKind::String | TokenKind::DollarString);
        let continues_chain =
            i > 0 && toks[i - 1].kind == TokenKind::Operator && toks[i - 1].text(&src) == "||";
        if is_string && !continues_chain {
            let (text, map, placeholders, next) = string_chain(&src, &toks, i);
            if contains_ignore_case(&text, "policy") {
                let child = s.push_child(frag, text, &map, placeholders, true);
                if nesting < MAX_NESTING {
                    scan_sql(s, child, nesting + 1);
                }
            }
            i = next;
            continue;
        }
        i += 1;
    }
}

fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    hay.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// [`string_chain`] for the schema model: the text, its map into `src` and its placeholders.
pub(crate) fn string_chain_of(
    src: &str,
    toks: &[Token],
    i: usize,
) -> (String, Vec<u32>, Vec<Range<usize>>) {
    let (text, map, placeholders, _) = string_chain(src, toks, i);
    (text, map, placeholders)
}

/// The SQL text of `'a' || expr || 'b'` starting at string token `i`: string contents joined, every other
/// operand replaced by the placeholder `x`, and `format()` specifiers (`%I`, `%L`, `%s`, `%1$I`) turned
/// into identifiers of the same length. Returns the text, its map (offsets into `src`), the placeholder
/// ranges and the index of the first token after the chain.
fn string_chain(
    src: &str,
    toks: &[Token],
    mut i: usize,
) -> (String, Vec<u32>, Vec<Range<usize>>, usize) {
    let mut text = String::new();
    let mut map: Vec<u32> = Vec::new();
    let mut placeholders = Vec::new();
    // The file offset just past the last piece: the map's final entry.
    let mut end_offset = toks[i].end as u32;
    loop {
        let tok = toks[i];
        if let Some((content, m)) = lexer::string_content(src, tok) {
            let start = text.len();
            text.push_str(&content);
            map.extend_from_slice(&m[..m.len() - 1]);
            mark_format_specifiers(&mut text, start, &mut placeholders);
            end_offset = *m.last().unwrap();
            i += 1;
        } else {
            // A non-string operand: one placeholder byte standing for it.
            let end = skip_operand(src, toks, i);
            if end == i {
                break;
            }
            let at = text.len();
            text.push('x');
            map.push(tok.start as u32);
            end_offset = toks[end - 1].end as u32;
            placeholders.push(at..at + 1);
            i = end;
        }
        // Continue only across `||`.
        if i + 1 < toks.len() && toks[i].kind == TokenKind::Operator && toks[i].text(src) == "||" {
            i += 1;
            continue;
        }
        break;
    }
    map.push(end_offset);
    (text, map, placeholders, i)
}

/// One operand of `||` that is not a string: `name`, `a.b`, `quote_ident(x)`, `(…)`, `$1`, `x::text`.
/// Returns the index after it (`i` when there is none).
fn skip_operand(src: &str, toks: &[Token], i: usize) -> usize {
    let mut j = i;
    match toks.get(j).map(|t| t.kind) {
        Some(TokenKind::Word | TokenKind::QuotedIdent) => {
            j += 1;
            while toks.get(j).is_some_and(|t| t.is_punct(src, '.'))
                && toks
                    .get(j + 1)
                    .is_some_and(|t| matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent))
            {
                j += 2;
            }
            if toks.get(j).is_some_and(|t| t.is_punct(src, '(')) {
                j = skip_parens(src, toks, j);
            }
        }
        Some(TokenKind::Param | TokenKind::Number) => j += 1,
        Some(TokenKind::Punct) if toks[j].is_punct(src, '(') => j = skip_parens(src, toks, j),
        _ => return i,
    }
    // Casts: `::text`
    while toks.get(j).is_some_and(|t| t.is_punct(src, ':'))
        && toks.get(j + 1).is_some_and(|t| t.is_punct(src, ':'))
        && toks.get(j + 2).is_some_and(|t| t.kind == TokenKind::Word)
    {
        j += 3;
    }
    j
}

fn skip_parens(src: &str, toks: &[Token], open: usize) -> usize {
    let mut depth = 0usize;
    let mut j = open;
    while j < toks.len() {
        let t = toks[j];
        if t.is_punct(src, '(') {
            depth += 1;
        } else if t.is_punct(src, ')') {
            depth -= 1;
            if depth == 0 {
                return j + 1;
            }
        } else if t.kind == TokenKind::Semicolon {
            return j;
        }
        j += 1;
    }
    j
}

/// Replace `format()` specifiers in `text[from..]` by identifier characters of the same length and record
/// them as placeholders. `%%` stays.
fn mark_format_specifiers(text: &mut String, from: usize, placeholders: &mut Vec<Range<usize>>) {
    let mut bytes = std::mem::take(text).into_bytes();
    let mut i = from;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            i += 1;
            continue;
        }
        if bytes.get(i + 1) == Some(&b'%') {
            i += 2;
            continue;
        }
        // %[position$][flags][width]type
        let mut j = i + 1;
        while j < bytes.len()
            && (bytes[j].is_ascii_digit() || matches!(bytes[j], b'$' | b'-' | b'*'))
        {
            j += 1;
        }
        if j < bytes.len() && matches!(bytes[j], b's' | b'I' | b'L') {
            for b in &mut bytes[i..j] {
                if !b.is_ascii_digit() {
                    *b = b'_';
                }
            }
            placeholders.push(i..j + 1);
            i = j + 1;
        } else {
            i += 1;
        }
    }
    // Only ASCII bytes were replaced by ASCII bytes.
    *text = String::from_utf8(bytes).expect("still UTF-8");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policies(text: &str) -> Vec<(String, bool, bool)> {
        let s = scan(text);
        s.policies
            .iter()
            .map(|p| {
                let f = &s.fragments[p.fragment];
                (f.text[p.range.clone()].to_string(), p.top_level, f.dynamic)
            })
            .collect()
    }

    #[test]
    fn top_level_and_static_do_statements() {
        let text = "create table t(a int);\nCREATE POLICY a ON t TO anon USING (true);\n\
            do $$ begin if not exists (select 1) then create policy b on t to service_role using (true); end if; end $$;";
        assert_eq!(
            policies(text),
            vec![
                (
                    "CREATE POLICY a ON t TO anon USING (true);".to_string(),
                    true,
                    false
                ),
                (
                    "create policy b on t to service_role using (true);".to_string(),
                    false,
                    false
                ),
            ]
        );
        let s = scan(text);
        let p = &s.policies[1];
        let f = &s.fragments[p.fragment];
        let r = f.range_to_file(p.range.clone());
        assert_eq!(
            &text[r.start as usize..r.end as usize],
            "create policy b on t to service_role using (true);"
        );
    }

    #[test]
    fn execute_format_and_concatenation() {
        let text = "DO $$ DECLARE t text; BEGIN FOR t IN SELECT 1 LOOP\n\
            EXECUTE format('create policy %I on public.%I to service_role using (auth.role() = ''service_role'')', 'p_' || t, t);\n\
            EXECUTE 'CREATE POLICY \"' || t || '_all\" ON ' || quote_ident(t) || ' TO service_role USING (true)';\n\
            END LOOP; END $$;";
        let got = policies(text);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(
            got[0].0,
            "create policy _I on public._I to service_role using (auth.role() = 'service_role')"
        );
        assert!(got[0].2);
        assert_eq!(
            got[1].0,
            "CREATE POLICY \"x_all\" ON x TO service_role USING (true)"
        );
        // Offsets map back through the doubled quotes.
        let s = scan(text);
        let p = &s.policies[0];
        let f = &s.fragments[p.fragment];
        let at = f.text.find("'service_role'").unwrap();
        let r = f.range_to_file(at..at + "'service_role'".len());
        assert_eq!(&text[r.start as usize..r.end as usize], "''service_role''");
        assert!(!f.is_verbatim(at..at + 14));
        assert!(f.is_deletable(at..at + 14));
        let at = f.text.find("to service_role").unwrap();
        assert!(f.is_verbatim(at..at + 15));
        // A range with a format() placeholder or a || operand in it cannot be deleted as one file range.
        let at = f.text.find("_I on").unwrap();
        assert!(!f.is_deletable(at..at + 5));
        let p = &s.policies[1];
        let f = &s.fragments[p.fragment];
        let at = f.text.find("x_all").unwrap();
        assert!(!f.is_deletable(at..at + 5));
        assert!(f.is_deletable(at + 1..at + 5));
    }

    #[test]
    fn single_quoted_do_body() {
        let text = "do 'begin create policy p on t to service_role using (x = ''a''); end';";
        let got = policies(text);
        assert_eq!(got.len(), 1);
        assert_eq!(
            got[0].0,
            "create policy p on t to service_role using (x = 'a');"
        );
    }

    #[test]
    fn other_languages_are_not_scanned() {
        assert!(
            policies("do language plv8 $$ create policy p on t to service_role $$;").is_empty()
        );
        assert!(policies(
            "create function f() returns void language sql as $$ create policy p on t to service_role; $$;"
        )
        .is_empty());
        assert!(policies(
            "create function f() returns text language plpgsql as $$ begin return 'policy'; end $$;"
        )
        .is_empty());
    }

    #[test]
    fn function_and_procedure_bodies() {
        let text = "create or replace function public.f(s text, t text) returns void language plpgsql security definer as $fn$\n\
            begin\n\
              execute format('CREATE POLICY %I ON %I.%I FOR ALL TO service_role USING (true)', 'p', s, t);\n\
            end $fn$;\n\
            CREATE PROCEDURE p() AS $$ BEGIN create policy q on t to service_role using (true); END $$ LANGUAGE plpgsql;\n\
            create function g() returns void as 'begin execute ''create policy r on t to anon using (true)''; end' language 'plpgsql';";
        let got = policies(text);
        assert_eq!(
            got,
            vec![
                (
                    "CREATE POLICY _I ON _I._I FOR ALL TO service_role USING (true)".to_string(),
                    false,
                    true
                ),
                (
                    "create policy q on t to service_role using (true);".to_string(),
                    false,
                    false
                ),
                (
                    "create policy r on t to anon using (true)".to_string(),
                    false,
                    true
                ),
            ]
        );
    }
}
