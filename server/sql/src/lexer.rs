//! A PostgreSQL tokenizer that knows just enough to split a file into statements and to find the SQL hidden
//! in `DO` blocks: comments (nested `/* */`), `'…'` / `E'…'` strings, `"…"` identifiers, `$tag$…$tag$`
//! bodies, words, operators and punctuation. It is the same job psql (and the Supabase CLI) do before sending
//! a migration to the server: statements end at a `;` outside quotes and comments.
//!
//! Splitting lexically, before the grammar sees anything, is what keeps one broken statement from hiding
//! the findings in the rest of the file: tree-sitter's error recovery happily glues the next statement onto
//! an unfinished one.
//!
//! Everything here is linear in the input and allocation-free apart from the token vector.

use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// An unquoted word: keyword or identifier.
    Word,
    /// `"…"`
    QuotedIdent,
    /// `'…'`, `E'…'`, `B'…'`, `X'…'`, `N'…'`, `U&'…'`
    String,
    /// `$tag$…$tag$`
    DollarString,
    /// A run of operator characters (`||`, `->>`, `=`, …).
    Operator,
    Number,
    /// `$1`
    Param,
    Semicolon,
    /// A single punctuation character: `( ) , . [ ] :` and anything else.
    Punct,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }

    pub fn text(self, src: &str) -> &str {
        &src[self.start..self.end]
    }

    /// A word equal to `kw`, ignoring ASCII case (PostgreSQL folds unquoted words to lower case).
    pub fn is_word(self, src: &str, kw: &str) -> bool {
        self.kind == TokenKind::Word && self.text(src).eq_ignore_ascii_case(kw)
    }

    pub fn is_punct(self, src: &str, c: char) -> bool {
        self.kind == TokenKind::Punct && self.text(src).starts_with(c)
    }
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_cont(b: u8) -> bool {
    is_ident_start(b) || b.is_ascii_digit() || b == b'$'
}

fn is_op_char(b: u8) -> bool {
    matches!(
        b,
        b'+' | b'-'
            | b'*'
            | b'/'
            | b'<'
            | b'>'
            | b'='
            | b'~'
            | b'!'
            | b'@'
            | b'#'
            | b'%'
            | b'^'
            | b'&'
            | b'|'
            | b'`'
            | b'?'
    )
}

/// Tokenize `src`. Comments and whitespace are dropped. Unterminated strings, identifiers, comments and
/// dollar bodies run to the end of the input, as in PostgreSQL.
pub fn tokenize(src: &str) -> Vec<Token> {
    let b = src.as_bytes();
    let n = b.len();
    let mut out: Vec<Token> = Vec::new();
    // Index in `out` of the first token of the current statement (for `COPY … FROM stdin`).
    let mut stmt_first = 0usize;
    let mut i = 0;
    while i < n {
        let c = b[i];
        let start = i;
        // Whitespace.
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        // `--` comment.
        if c == b'-' && b.get(i + 1) == Some(&b'-') {
            i = memchr_nl(b, i);
            continue;
        }
        // `/* */` comment, nested.
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i = skip_block_comment(b, i);
            continue;
        }
        // Prefixed strings: E'…', B'…', X'…', N'…', U&'…'.
        if matches!(c, b'e' | b'E' | b'b' | b'B' | b'x' | b'X' | b'n' | b'N')
            && b.get(i + 1) == Some(&b'\'')
        {
            let backslash = matches!(c, b'e' | b'E');
            i = skip_quoted(b, i + 1, b'\'', backslash);
            out.push(Token {
                kind: TokenKind::String,
                start,
                end: i,
            });
            continue;
        }
        if matches!(c, b'u' | b'U') && b.get(i + 1) == Some(&b'&') {
            match b.get(i + 2) {
                Some(&b'\'') => {
                    i = skip_quoted(b, i + 2, b'\'', false);
                    out.push(Token {
                        kind: TokenKind::String,
                        start,
                        end: i,
                    });
                    continue;
                }
                Some(&b'"') => {
                    i = skip_quoted(b, i + 2, b'"', false);
                    out.push(Token {
                        kind: TokenKind::QuotedIdent,
                        start,
                        end: i,
                    });
                    continue;
                }
                _ => {}
            }
        }
        if is_ident_start(c) {
            i += 1;
            while i < n && is_ident_cont(b[i]) {
                i += 1;
            }
            out.push(Token {
                kind: TokenKind::Word,
                start,
                end: i,
            });
            continue;
        }
        if c == b'\'' {
            i = skip_quoted(b, i, b'\'', false);
            out.push(Token {
                kind: TokenKind::String,
                start,
                end: i,
            });
            continue;
        }
        if c == b'"' {
            i = skip_quoted(b, i, b'"', false);
            out.push(Token {
                kind: TokenKind::QuotedIdent,
                start,
                end: i,
            });
            continue;
        }
        if c == b'$' {
            if let Some(tag_end) = dollar_tag_end(b, i) {
                let tag = &b[i..tag_end];
                i = find_subslice(b, tag_end, tag).map_or(n, |p| p + tag.len());
                out.push(Token {
                    kind: TokenKind::DollarString,
                    start,
                    end: i,
                });
                continue;
            }
            i += 1;
            while i < n && b[i].is_ascii_digit() {
                i += 1;
            }
            out.push(Token {
                kind: TokenKind::Param,
                start,
                end: i,
            });
            continue;
        }
        if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            i += 1;
            while i < n && (b[i].is_ascii_alphanumeric() || b[i] == b'.' || b[i] == b'_') {
                i += 1;
            }
            out.push(Token {
                kind: TokenKind::Number,
                start,
                end: i,
            });
            continue;
        }
        if c == b';' {
            i += 1;
            out.push(Token {
                kind: TokenKind::Semicolon,
                start,
                end: i,
            });
            // `COPY … FROM stdin;` (pg_dump's data sections): the rows that follow, up to a line `\.`, are
            // data, not SQL. An apostrophe in them must not open a string that hides the rest of the file.
            let stmt = &out[stmt_first..];
            if stmt.first().is_some_and(|t| t.is_word(src, "copy"))
                && stmt.iter().any(|t| t.is_word(src, "stdin"))
            {
                i = skip_copy_data(b, i);
            }
            stmt_first = out.len();
            continue;
        }
        if is_op_char(c) {
            i += 1;
            while i < n && is_op_char(b[i]) {
                // A comment starts inside an operator run: the operator ends there.
                if (b[i] == b'-' && b.get(i + 1) == Some(&b'-'))
                    || (b[i] == b'/' && b.get(i + 1) == Some(&b'*'))
                {
                    break;
                }
                i += 1;
            }
            out.push(Token {
                kind: TokenKind::Operator,
                start,
                end: i,
            });
            continue;
        }
        // Punctuation, or one (possibly multi-byte) character we do not know.
        i += 1;
        while i < n && (b[i] & 0xC0) == 0x80 {
            i += 1;
        }
        out.push(Token {
            kind: TokenKind::Punct,
            start,
            end: i,
        });
    }
    out
}

/// From just after `COPY … FROM stdin;`: the offset after the terminating `\.` line (or the end of input).
fn skip_copy_data(b: &[u8], from: usize) -> usize {
    // The data starts on the next line.
    let mut line = memchr_nl(b, from);
    while line < b.len() {
        let next = memchr_nl(b, line);
        let content = &b[line..next];
        let content = content.strip_suffix(b"\n").unwrap_or(content);
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        if content == b"\\." {
            return next;
        }
        line = next;
    }
    b.len()
}

fn memchr_nl(b: &[u8], from: usize) -> usize {
    b[from..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| from + p + 1)
}

fn skip_block_comment(b: &[u8], from: usize) -> usize {
    let mut depth = 0usize;
    let mut i = from;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

/// `from` is at the opening quote; returns the offset just past the closing quote.
fn skip_quoted(b: &[u8], from: usize, q: u8, backslash: bool) -> usize {
    let mut i = from + 1;
    while i < b.len() {
        if backslash && b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == q {
            if b.get(i + 1) == Some(&q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    b.len()
}

/// If a dollar-quote opening tag (`$$`, `$body$`) starts at `i`, the offset just past it.
fn dollar_tag_end(b: &[u8], i: usize) -> Option<usize> {
    // `a$b$` is one identifier: a `$` right after a word character does not open a body. Words are lexed
    // whole, so the previous byte is never a word character here, except after a number such as `1$`.
    if i > 0 && is_ident_cont(b[i - 1]) {
        return None;
    }
    let mut j = i + 1;
    if b.get(j) == Some(&b'$') {
        return Some(j + 1);
    }
    if !b.get(j).copied().is_some_and(is_ident_start) {
        return None;
    }
    while j < b.len() && is_ident_cont(b[j]) && b[j] != b'$' {
        j += 1;
    }
    (b.get(j) == Some(&b'$')).then_some(j + 1)
}

fn find_subslice(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || from > hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// A statement: its tokens (without the terminating `;`) and its byte range including the `;` if any.
#[derive(Debug)]
pub struct Statement<'t> {
    pub tokens: &'t [Token],
    /// From the first token to the end of the `;` (or of the last token when the input ends first).
    pub range: Range<usize>,
}

/// Split tokens into statements at every `;`. Empty statements are dropped.
pub fn statements(tokens: &[Token]) -> Vec<Statement<'_>> {
    let mut out = Vec::new();
    let mut begin = 0;
    for (i, t) in tokens.iter().enumerate() {
        if t.kind == TokenKind::Semicolon {
            if i > begin {
                out.push(Statement {
                    tokens: &tokens[begin..i],
                    range: tokens[begin].start..t.end,
                });
            }
            begin = i + 1;
        }
    }
    if begin < tokens.len() {
        out.push(Statement {
            tokens: &tokens[begin..],
            range: tokens[begin].start..tokens[tokens.len() - 1].end,
        });
    }
    out
}

/// The content of a string or dollar-quoted token, unescaped, with the offset (relative to `src`) of
/// every byte of the content plus one past the end. `None` for tokens that are not strings.
pub fn string_content(src: &str, tok: Token) -> Option<(String, Vec<u32>)> {
    let text = tok.text(src);
    let b = text.as_bytes();
    let base = tok.start;
    match tok.kind {
        TokenKind::DollarString => {
            let tag_end = dollar_tag_end(b, 0)?;
            let body_end = if text.len() >= 2 * tag_end && text.ends_with(&text[..tag_end]) {
                text.len() - tag_end
            } else {
                text.len()
            };
            let content = text[tag_end..body_end].to_string();
            let map = (base + tag_end..=base + body_end)
                .map(|o| o as u32)
                .collect();
            Some((content, map))
        }
        TokenKind::String => {
            let open = text.find('\'')?;
            let backslash = b[0].eq_ignore_ascii_case(&b'e');
            let mut content = Vec::with_capacity(b.len());
            let mut map = Vec::with_capacity(b.len() + 1);
            let mut i = open + 1;
            let mut end = b.len();
            while i < b.len() {
                let c = b[i];
                if c == b'\'' {
                    if b.get(i + 1) == Some(&b'\'') {
                        content.push(b'\'');
                        map.push((base + i) as u32);
                        i += 2;
                        continue;
                    }
                    end = i;
                    break;
                }
                if backslash && c == b'\\' && i + 1 < b.len() {
                    // Only the escapes that matter for finding SQL: \' and \\. Others keep their backslash.
                    let next = b[i + 1];
                    if next == b'\'' || next == b'\\' {
                        content.push(next);
                        map.push((base + i) as u32);
                        i += 2;
                        continue;
                    }
                }
                content.push(c);
                map.push((base + i) as u32);
                i += 1;
            }
            map.push((base + end) as u32);
            // Escapes never split a UTF-8 sequence, so the content stays valid UTF-8.
            Some((String::from_utf8(content).ok()?, map))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(TokenKind, &str)> {
        tokenize(src)
            .into_iter()
            .map(|t| (t.kind, t.text(src)))
            .collect()
    }

    #[test]
    fn comments_strings_and_bodies_hide_semicolons() {
        let src = "select 'a;b', \"c;d\" -- e;f\n/* g; /* nested; */ h; */ , $x$ i; $$ j; $x$, E'k\\';l';";
        let toks = tokenize(src);
        let semis = toks
            .iter()
            .filter(|t| t.kind == TokenKind::Semicolon)
            .count();
        assert_eq!(semis, 1, "{:?}", kinds(src));
        assert_eq!(toks.last().unwrap().start, src.len() - 1);
    }

    #[test]
    fn words_operators_params() {
        assert_eq!(
            kinds("auth.jwt()->>'role' = $1 || a$b"),
            vec![
                (TokenKind::Word, "auth"),
                (TokenKind::Punct, "."),
                (TokenKind::Word, "jwt"),
                (TokenKind::Punct, "("),
                (TokenKind::Punct, ")"),
                (TokenKind::Operator, "->>"),
                (TokenKind::String, "'role'"),
                (TokenKind::Operator, "="),
                (TokenKind::Param, "$1"),
                (TokenKind::Operator, "||"),
                (TokenKind::Word, "a$b"),
            ]
        );
    }

    #[test]
    fn unterminated_things_run_to_the_end() {
        assert!(tokenize("/* abc; def").is_empty());
        for src in ["'abc", "\"abc", "$$ abc", "$q$ abc $$"] {
            let toks = tokenize(src);
            assert_eq!(toks.len(), 1, "{src}");
            assert_eq!(toks[0].end, src.len(), "{src}");
        }
    }

    #[test]
    fn copy_data_is_not_sql() {
        let src = "COPY public.people (id, name) FROM stdin;\n1\tO'Brien\n2\tD'Arcy;\n\\.\n\
                   create policy p on t to service_role;";
        let toks = tokenize(src);
        let words: Vec<&str> = toks.iter().map(|t| t.text(src)).collect();
        assert_eq!(
            words,
            vec![
                "COPY",
                "public",
                ".",
                "people",
                "(",
                "id",
                ",",
                "name",
                ")",
                "FROM",
                "stdin",
                ";",
                "create",
                "policy",
                "p",
                "on",
                "t",
                "to",
                "service_role",
                ";"
            ]
        );
        // COPY … FROM a file has no inline data.
        let src = "copy t from '/tmp/x.csv'; select 'a';";
        assert_eq!(tokenize(src).len(), 8);
    }

    #[test]
    fn statements_split_at_semicolons() {
        let src = "create table t (a int);\n;\ncreate policy p on t to anon using (true)";
        let toks = tokenize(src);
        let stmts = statements(&toks);
        assert_eq!(stmts.len(), 2);
        assert_eq!(&src[stmts[0].range.clone()], "create table t (a int);");
        assert_eq!(
            &src[stmts[1].range.clone()],
            "create policy p on t to anon using (true)"
        );
    }

    #[test]
    fn string_content_maps_back_to_source() {
        let src = "x 'it''s' y";
        let toks = tokenize(src);
        let (content, map) = string_content(src, toks[1]).unwrap();
        assert_eq!(content, "it's");
        assert_eq!(map, vec![3, 4, 5, 7, 8]);
        let src = "$body$ a $$ b $body$";
        let toks = tokenize(src);
        let (content, map) = string_content(src, toks[0]).unwrap();
        assert_eq!(content, " a $$ b ");
        assert_eq!(map.first(), Some(&6));
        assert_eq!(map.last(), Some(&14));
    }
}
