//! `DO` blocks: the statements of a PL/pgSQL body, `EXECUTE`d strings, `format()` and loops over literal
//! values.

use std::ops::Range;

use super::{ident_value, read_sql, read_statement, Src, Stmt, StmtKind, Touches, MAX_NESTING};
use crate::lexer::{self, Token, TokenKind};

/// `DO [LANGUAGE x] 'body'`: the statements of a PL/pgSQL body, including `EXECUTE`d strings.
pub(super) fn read_do(
    src: &Src,
    toks: &[Token],
    range: Range<usize>,
    nesting: usize,
    out: &mut Vec<Stmt>,
) {
    let text = src.text;
    let language_ok = match toks.iter().position(|t| t.is_word(text, "language")) {
        Some(i) => toks.get(i + 1).is_some_and(|l| {
            l.text(text)
                .trim_matches(['\'', '"'])
                .eq_ignore_ascii_case("plpgsql")
        }),
        None => true,
    };
    let body = toks[1..]
        .iter()
        .find(|t| matches!(t.kind, TokenKind::String | TokenKind::DollarString));
    let (Some(body), true) = (body, language_ok) else {
        return;
    };
    if nesting >= MAX_NESTING {
        out.push(Stmt {
            kind: StmtKind::Unreadable {
                touches: Touches::Any,
                why: "DO blocks nested too deep".into(),
            },
            range: src.range(range),
            in_do: true,
        });
        return;
    }
    let Some((content, map)) = lexer::string_content(text, *body) else {
        return;
    };
    let file_map: Vec<u32> = map.iter().map(|&o| src.to_file(o as usize)).collect();
    let inner = Src {
        text: &content,
        map: Some(&file_map),
        placeholders: &[],
        in_do: true,
    };
    read_plpgsql(&inner, nesting + 1, out);
}

/// Words after which a PL/pgSQL statement can start inside one `;`-terminated piece.
pub(super) const BLOCK_STARTS: &[&str] = &["begin", "then", "else", "loop"];
pub(super) const DDL_STARTS: &[&str] = &["create", "alter", "drop", "grant", "revoke"];

pub(super) fn read_plpgsql(src: &Src, nesting: usize, out: &mut Vec<Stmt>) {
    let text = src.text;
    let toks = lexer::tokenize(text);
    // Arrays declared with literal values, and the loops open at this point (innermost last).
    let mut arrays: Vec<(String, Vec<String>)> = Vec::new();
    let mut loops: Vec<LoopVar> = Vec::new();
    for st in lexer::statements(&toks) {
        let t = st.tokens;
        if let Some(a) = declared_array(text, t) {
            arrays.push(a);
        }
        for k in 0..t.len() {
            if t[k].is_word(text, "loop") {
                if k > 0 && t[k - 1].is_word(text, "end") {
                    loops.pop();
                } else {
                    loops.push(loop_header(text, t, k, &arrays));
                }
            }
        }
        // A DDL statement starts the piece or follows BEGIN / THEN / ELSE / LOOP.
        let start = (0..t.len()).find(|&k| {
            DDL_STARTS.iter().any(|w| t[k].is_word(text, w))
                && (k == 0 || BLOCK_STARTS.iter().any(|w| t[k - 1].is_word(text, w)))
        });
        if let Some(k) = start {
            let end = st.range.end;
            read_statement(src, &t[k..], t[k].start..end, out);
            continue;
        }
        // EXECUTE 'sql' / EXECUTE format('…', …) / EXECUTE a || b
        if let Some(k) = (0..t.len()).find(|&k| {
            t[k].is_word(text, "execute")
                && (k == 0 || BLOCK_STARTS.iter().any(|w| t[k - 1].is_word(text, w)))
        }) {
            let lv = loops.last().cloned().flatten();
            read_execute(src, &t[k + 1..], st.range.clone(), nesting, &lv, out);
        }
    }
}

pub(super) fn read_execute(
    src: &Src,
    arg: &[Token],
    range: Range<usize>,
    nesting: usize,
    lv: &LoopVar,
    out: &mut Vec<Stmt>,
) {
    let text = src.text;
    if read_execute_known(src, arg, nesting, lv, out) {
        return;
    }
    // format('…', …): the format string; `%I`/`%L`/`%s` are run-time values.
    let first_string = if arg.first().is_some_and(|t| t.is_word(text, "format"))
        && arg.get(1).is_some_and(|t| t.is_punct(text, '('))
    {
        arg.get(2)
            .filter(|t| matches!(t.kind, TokenKind::String | TokenKind::DollarString))
            .map(|_| 2)
    } else if arg
        .first()
        .is_some_and(|t| matches!(t.kind, TokenKind::String | TokenKind::DollarString))
    {
        Some(0)
    } else {
        None
    };
    let Some(k) = first_string else {
        // EXECUTE of a variable: could be anything.
        let unresolved = StmtKind::Unreadable {
            touches: Touches::Any,
            why: "EXECUTE of SQL held in a variable".into(),
        };
        out.push(Stmt {
            kind: unresolved,
            range: src.range(range),
            in_do: true,
        });
        return;
    };
    // Joined chain `'a' || x || 'b'` with run-time parts as placeholders.
    let (chain, map, placeholders) = crate::scan::string_chain_of(text, arg, k);
    let file_map: Vec<u32> = map.iter().map(|&o| src.to_file(o as usize)).collect();
    let inner = Src {
        text: &chain,
        map: Some(&file_map),
        placeholders: &placeholders,
        in_do: true,
    };
    if nesting >= MAX_NESTING {
        return;
    }
    read_sql(&inner, nesting + 1, out);
}

/// `EXECUTE format(…)` (or a `||` chain) whose values are all known: literals, or the variable of a loop
/// over literal values (one statement per value). Returns whether it was read.
pub(super) fn read_execute_known(
    src: &Src,
    arg: &[Token],
    nesting: usize,
    lv: &LoopVar,
    out: &mut Vec<Stmt>,
) -> bool {
    let text = src.text;
    let arg = match arg.last() {
        Some(t) if t.kind == TokenKind::Semicolon => &arg[..arg.len() - 1],
        _ => arg,
    };
    let end = arg
        .iter()
        .position(|t| t.is_word(text, "using") || t.is_word(text, "into"))
        .unwrap_or(arg.len());
    let arg = &arg[..end];
    let Some(last) = arg.last() else {
        return false;
    };
    let cases: Vec<(&str, &str)> = match lv {
        Some((var, vals)) => vals.iter().map(|v| (var.as_str(), v.as_str())).collect(),
        // Outside such a loop only `format()` is read here; plain strings and chains keep their reader.
        None if arg.first().is_some_and(|t| t.is_word(text, "format")) => vec![("", "")],
        None => return false,
    };
    let Some(expanded) = cases
        .iter()
        .map(|(var, val)| eval_text(text, arg, var, val))
        .collect::<Option<Vec<_>>>()
    else {
        return false;
    };
    if nesting >= MAX_NESTING {
        return true;
    }
    for (sql, map) in expanded {
        let mut file_map: Vec<u32> = map.iter().map(|&o| src.to_file(o as usize)).collect();
        file_map.push(src.to_file(last.end));
        let inner = Src {
            text: &sql,
            map: Some(&file_map),
            placeholders: &[],
            in_do: true,
        };
        read_sql(&inner, nesting + 1, out);
    }
    true
}

// ------------------------------------------------------------------------ loops over literal arrays

/// A PL/pgSQL loop whose variable takes literal values: `FOREACH v IN ARRAY ARRAY['a', 'b'] LOOP`,
/// `FOREACH v IN ARRAY arr LOOP` with `arr text[] := ARRAY[…]` declared, or
/// `FOR v IN SELECT unnest(ARRAY['a', 'b']) LOOP`. `None` for any other loop.
type LoopVar = Option<(String, Vec<String>)>;

/// `ARRAY['a', 'b', …]` starting at `i` (the `array` word): the strings.
pub(super) fn literal_array(text: &str, t: &[Token], i: usize) -> Option<Vec<String>> {
    if !t.get(i)?.is_word(text, "array") || !t.get(i + 1)?.is_punct(text, '[') {
        return None;
    }
    let mut vals = Vec::new();
    let mut j = i + 2;
    loop {
        let tok = *t.get(j)?;
        let (s, _) = lexer::string_content(text, tok)?;
        vals.push(s);
        j += 1;
        if t.get(j)?.is_punct(text, ',') {
            j += 1;
            continue;
        }
        return t.get(j)?.is_punct(text, ']').then_some(vals);
    }
}

/// `name type[] := ARRAY[…]` in a `DECLARE` section: the name and its strings.
pub(super) fn declared_array(text: &str, t: &[Token]) -> Option<(String, Vec<String>)> {
    let first = usize::from(t.first()?.is_word(text, "declare"));
    let name = ident_value(text, *t.get(first)?)?;
    let a = (first + 1..t.len()).find(|&k| t[k].is_word(text, "array"))?;
    Some((name, literal_array(text, t, a)?))
}

/// The loop a `LOOP` keyword at `k` opens.
pub(super) fn loop_header(
    text: &str,
    t: &[Token],
    k: usize,
    arrays: &[(String, Vec<String>)],
) -> LoopVar {
    let start = (0..k)
        .rev()
        .find(|&i| t[i].is_word(text, "foreach") || t[i].is_word(text, "for"))?;
    let var = ident_value(text, *t.get(start + 1)?)?;
    if !t.get(start + 2)?.is_word(text, "in") {
        return None;
    }
    let vals = if t[start].is_word(text, "foreach") {
        if !t.get(start + 3)?.is_word(text, "array") {
            return None;
        }
        let a = start + 4;
        if t.get(a + 1).is_some_and(|x| x.is_punct(text, '[')) {
            literal_array(text, t, a)?
        } else {
            let name = ident_value(text, *t.get(a)?)?;
            if !t.get(a + 1)?.is_word(text, "loop") {
                return None;
            }
            arrays.iter().rev().find(|(n, _)| *n == name)?.1.clone()
        }
    } else {
        // FOR v IN SELECT unnest(ARRAY[…]) LOOP
        if !(t.get(start + 3)?.is_word(text, "select")
            && t.get(start + 4)?.is_word(text, "unnest")
            && t.get(start + 5)?.is_punct(text, '('))
        {
            return None;
        }
        let vals = literal_array(text, t, start + 6)?;
        let close = (start + 6..k).find(|&i| t[i].is_punct(text, ']'))?;
        if !(t.get(close + 1)?.is_punct(text, ')') && close + 2 == k) {
            return None;
        }
        vals
    };
    // Nothing but the array (and casts) between it and LOOP.
    let close = (start..k)
        .rev()
        .find(|&i| t[i].is_punct(text, ']') || t[i].is_punct(text, ')'));
    let tail_ok = match close {
        Some(c) => t[c + 1..k].iter().all(|x| {
            x.is_punct(text, ':')
                || x.kind == TokenKind::Word
                || x.is_punct(text, '[')
                || x.is_punct(text, ']')
        }),
        None => true,
    };
    tail_ok.then_some((var, vals))
}

/// `'a' || v || quote_ident(v) || format(…)`, with the loop variable `var` = `val`: the text and, per
/// byte, its offset in `text` (a substituted value maps to where it is written). `None` when any part is
/// not known.
pub(super) fn eval_text(
    text: &str,
    t: &[Token],
    var: &str,
    val: &str,
) -> Option<(String, Vec<u32>)> {
    let mut out = String::new();
    let mut map: Vec<u32> = Vec::new();
    let mut i = 0;
    loop {
        let tok = *t.get(i)?;
        if let Some((s, m)) = lexer::string_content(text, tok) {
            out.push_str(&s);
            map.extend_from_slice(&m[..m.len() - 1]);
            i += 1;
        } else if tok.kind == TokenKind::Word && t.get(i + 1).is_some_and(|x| x.is_punct(text, '('))
        {
            let close = matching_paren(text, t, i + 1)?;
            let fname = tok.text(text).to_ascii_lowercase();
            let inner = &t[i + 2..close];
            match fname.as_str() {
                "format" => {
                    let (s, m) = eval_format(text, inner, var, val)?;
                    out.push_str(&s);
                    map.extend(m);
                }
                "quote_ident" => {
                    let (s, _) = eval_text(text, inner, var, val)?;
                    let q = format!("\"{}\"", s.replace('"', "\"\""));
                    map.extend(std::iter::repeat_n(tok.start as u32, q.len()));
                    out.push_str(&q);
                }
                _ => return None,
            }
            i = close + 1;
        } else if matches!(tok.kind, TokenKind::Word | TokenKind::QuotedIdent)
            && ident_value(text, tok).as_deref() == Some(var)
        {
            out.push_str(val);
            map.extend(std::iter::repeat_n(tok.start as u32, val.len()));
            i += 1;
        } else {
            return None;
        }
        // `::text` casts
        while t.get(i).is_some_and(|x| x.is_punct(text, ':'))
            && t.get(i + 1).is_some_and(|x| x.is_punct(text, ':'))
            && t.get(i + 2).is_some_and(|x| x.kind == TokenKind::Word)
        {
            i += 3;
        }
        if i == t.len() {
            return Some((out, map));
        }
        if !(t[i].kind == TokenKind::Operator && t[i].text(text) == "||") {
            return None;
        }
        i += 1;
    }
}

pub(super) fn matching_paren(text: &str, t: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (j, x) in t.iter().enumerate().skip(open) {
        if x.is_punct(text, '(') {
            depth += 1;
        } else if x.is_punct(text, ')') {
            depth -= 1;
            if depth == 0 {
                return Some(j);
            }
        }
    }
    None
}

/// `format(fmt, args…)` with the specifiers `%I`, `%L`, `%s`, `%%` and `%n$…` applied.
pub(super) fn eval_format(
    text: &str,
    t: &[Token],
    var: &str,
    val: &str,
) -> Option<(String, Vec<u32>)> {
    // Split the arguments at top-level commas.
    let mut args: Vec<&[Token]> = Vec::new();
    let mut depth = 0i32;
    let mut from = 0;
    for (j, x) in t.iter().enumerate() {
        if x.is_punct(text, '(') || x.is_punct(text, '[') {
            depth += 1;
        } else if x.is_punct(text, ')') || x.is_punct(text, ']') {
            depth -= 1;
        } else if depth == 0 && x.is_punct(text, ',') {
            args.push(&t[from..j]);
            from = j + 1;
        }
    }
    args.push(&t[from..]);
    let (fmt, fmap) = eval_text(text, args.first()?, var, val)?;
    let values: Vec<String> = args[1..]
        .iter()
        .map(|a| eval_text(text, a, var, val).map(|(s, _)| s))
        .collect::<Option<_>>()?;
    let mut out = String::new();
    let mut map = Vec::new();
    let b = fmt.as_bytes();
    let mut next = 0usize;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'%' {
            let ch = fmt[i..].chars().next()?;
            out.push(ch);
            map.extend(std::iter::repeat_n(fmap[i], ch.len_utf8()));
            i += ch.len_utf8();
            continue;
        }
        let at = fmap[i];
        let mut j = i + 1;
        if b.get(j) == Some(&b'%') {
            out.push('%');
            map.push(at);
            i = j + 1;
            continue;
        }
        let digits: String = fmt[j..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let mut index = next;
        if !digits.is_empty() && b.get(j + digits.len()) == Some(&b'$') {
            index = digits.parse::<usize>().ok()?.checked_sub(1)?;
            j += digits.len() + 1;
        }
        let v = values.get(index)?;
        let s = match b.get(j)? {
            b'I' => format!("\"{}\"", v.replace('"', "\"\"")),
            b'L' => format!("'{}'", v.replace('\'', "''")),
            b's' => v.clone(),
            _ => return None,
        };
        map.extend(std::iter::repeat_n(at, s.len()));
        out.push_str(&s);
        next = index + 1;
        i = j + 1;
    }
    Some((out, map))
}
