//! A small expression view over tree-sitter-postgres's concrete syntax tree.
//!
//! The generated grammar nests every operand in several wrapper nodes (`a_expr` → `a_expr` → `c_expr` →
//! `func_expr` → …) and keeps operators as anonymous tokens. [`lower`] strips the wrappers, parentheses,
//! casts and scalar sub-selects such as `(select auth.role())`, and returns just the shapes the rule
//! reasons about. Everything else becomes [`Kind::Other`].
//!
//! It also repairs one grammar bug: tree-sitter-postgres lets `=` bind tighter than a generic operator, so
//! `auth.jwt() ->> 'role' = 'service_role'` comes out as `auth.jwt() ->> ('role' = 'service_role')`. In
//! PostgreSQL every generic operator (`->>`, `||`, …) binds tighter than comparison, so an unparenthesised
//! comparison directly under a generic operator is always a misparse; [`lower`] rotates it back.
//!
//! Lowering recurses only for operator operands and call arguments, and stops at [`MAX_DEPTH`]: hostile
//! input (100,000 nested parentheses) is unwrapped in a loop and cannot overflow the stack.

use std::ops::Range;

use tree_sitter::Node;

/// Deeper operands than this are [`Kind::Other`].
pub const MAX_DEPTH: usize = 100;

#[derive(Debug)]
pub struct Expr {
    /// The whole node, including enclosing parentheses and casts.
    pub range: Range<usize>,
    /// The expression itself, without enclosing parentheses (casts kept).
    pub core: Range<usize>,
    /// Whether the expression was written in parentheses.
    pub paren: bool,
    pub kind: Kind,
}

#[derive(Debug)]
pub enum Kind {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    /// A binary operator; `op` is its text (`=`, `->>`, `<>`; `!=` is normalised to `<>`).
    Op {
        op: String,
        l: Box<Expr>,
        r: Box<Expr>,
    },
    /// `l IN (items)` / `l NOT IN (items)`.
    In {
        l: Box<Expr>,
        items: Vec<Expr>,
        negated: bool,
    },
    /// A function call; `name` holds the parts of the function name, unquoted and case-folded.
    Call {
        name: Vec<String>,
        args: Vec<Expr>,
    },
    /// A string constant, unescaped.
    Str(String),
    /// `current_user`, `current_role`, `session_user`, `user`.
    SessionRole,
    /// `ARRAY[…]`
    Array(Vec<Expr>),
    Other,
}

impl Expr {
    fn other(range: Range<usize>) -> Expr {
        Expr {
            core: range.clone(),
            range,
            paren: false,
            kind: Kind::Other,
        }
    }
}

fn children<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.children(&mut cursor)
        .filter(|c| !c.is_extra())
        .collect()
}

const COMPARISON: &[&str] = &["=", "<>", "<", ">", "<=", ">="];
const ARITHMETIC: &[&str] = &["+", "-", "*", "/", "%", "^"];

fn is_comparison(e: &Expr) -> bool {
    matches!(&e.kind, Kind::Op { op, .. } if COMPARISON.contains(&op.as_str()))
}

/// Lower the expression rooted at `node`; `src` is the text the tree was parsed from.
pub fn lower(node: Node<'_>, src: &str, depth: usize) -> Expr {
    let range = node.byte_range();
    if depth > MAX_DEPTH {
        return Expr::other(range);
    }
    let mut n = node;
    let mut paren = false;
    let mut core = range.clone();
    loop {
        if n.is_error() || n.is_missing() {
            return Expr::other(range);
        }
        let kids = children(n);
        let kind_of = |i: usize| kids.get(i).map(|k| k.kind());
        match kids.len() {
            0 => {
                let kind = match n.kind() {
                    "kw_current_user" | "kw_current_role" | "kw_session_user" | "kw_user" => {
                        Kind::SessionRole
                    }
                    "string_literal" | "escape_string_literal" | "dollar_quoted_string" => {
                        match string_value(&src[n.byte_range()]) {
                            Some(s) => Kind::Str(s),
                            None => Kind::Other,
                        }
                    }
                    _ => Kind::Other,
                };
                return Expr {
                    range,
                    core,
                    paren,
                    kind,
                };
            }
            1 => {
                n = kids[0];
                continue;
            }
            _ => {}
        }
        // `( expr )`, `( select … )`
        if kids.len() == 3 && kind_of(0) == Some("(") && kind_of(2) == Some(")") {
            n = kids[1];
            paren = true;
            core = n.byte_range();
            continue;
        }
        // `expr :: type`
        if kids.len() == 3 && kind_of(1) == Some("::") {
            n = kids[0];
            continue;
        }
        match n.kind() {
            // `select expr` with nothing else: the scalar sub-select `(select auth.role())`.
            "simple_select" => {
                if kids.len() == 2
                    && kind_of(0) == Some("kw_select")
                    && kind_of(1) == Some("opt_target_list")
                {
                    n = kids[1];
                    continue;
                }
                return Expr::other(range);
            }
            "func_application" => {
                return Expr {
                    kind: lower_call(&kids, src, depth),
                    range,
                    core,
                    paren,
                };
            }
            "func_expr_common_subexpr" => {
                // CAST(expr AS type)
                if kind_of(0) == Some("kw_cast") && kids.len() == 6 {
                    n = kids[2];
                    continue;
                }
                // COALESCE(a, b, …), GREATEST, LEAST, NULLIF: keywords in the grammar, calls here.
                if kids.len() == 4
                    && kind_of(1) == Some("(")
                    && matches!(kind_of(2), Some("expr_list" | "a_expr"))
                    && kind_of(3) == Some(")")
                {
                    let name = src[kids[0].byte_range()].to_ascii_lowercase();
                    let args = if kids[2].kind() == "expr_list" {
                        flatten_list(kids[2])
                    } else {
                        vec![kids[2]]
                    };
                    return Expr {
                        range,
                        core,
                        paren,
                        kind: Kind::Call {
                            name: vec![name],
                            args: args.into_iter().map(|a| lower(a, src, depth + 1)).collect(),
                        },
                    };
                }
                return Expr::other(range);
            }
            _ => {}
        }
        if kind_of(0) == Some("kw_array") && kids.len() == 2 {
            let arr = kids[1];
            let ak = children(arr);
            let items = if ak.len() == 3 && ak[1].kind() == "expr_list" {
                flatten_list(ak[1])
                    .into_iter()
                    .map(|e| lower(e, src, depth + 1))
                    .collect()
            } else {
                Vec::new()
            };
            return Expr {
                range,
                core,
                paren,
                kind: Kind::Array(items),
            };
        }
        if kids.len() == 2 && kind_of(0) == Some("kw_not") {
            return Expr {
                range,
                core,
                paren,
                kind: Kind::Not(Box::new(lower(kids[1], src, depth + 1))),
            };
        }
        if kids.len() == 3 && matches!(kind_of(1), Some("kw_and" | "kw_or")) {
            let l = Box::new(lower(kids[0], src, depth + 1));
            let r = Box::new(lower(kids[2], src, depth + 1));
            let kind = if kind_of(1) == Some("kw_and") {
                Kind::And(l, r)
            } else {
                Kind::Or(l, r)
            };
            return Expr {
                range,
                core,
                paren,
                kind,
            };
        }
        // `l IN (list)` / `l NOT IN (list)`
        let in_at = match (kind_of(1), kind_of(2)) {
            (Some("kw_in"), _) => Some(2),
            (Some("kw_not"), Some("kw_in")) => Some(3),
            _ => None,
        };
        if let Some(at) = in_at {
            if kids.len() == at + 3
                && kids[at].kind() == "("
                && kids[at + 1].kind() == "expr_list"
                && kids[at + 2].kind() == ")"
            {
                let items = flatten_list(kids[at + 1])
                    .into_iter()
                    .map(|e| lower(e, src, depth + 1))
                    .collect();
                return Expr {
                    range,
                    core,
                    paren,
                    kind: Kind::In {
                        l: Box::new(lower(kids[0], src, depth + 1)),
                        items,
                        negated: at == 3,
                    },
                };
            }
            return Expr::other(range);
        }
        if kids.len() == 3 {
            let op_node = kids[1];
            let op_text = src[op_node.byte_range()].trim();
            let is_op = matches!(op_node.kind(), "qual_Op" | "MathOp" | "all_Op")
                || (!op_node.is_named()
                    && (COMPARISON.contains(&op_text) || ARITHMETIC.contains(&op_text)));
            if is_op {
                let op = if op_text == "!=" {
                    "<>".to_string()
                } else {
                    op_text.to_string()
                };
                let l = lower(kids[0], src, depth + 1);
                let r = lower(kids[2], src, depth + 1);
                return rotate(range, core, paren, op, l, r);
            }
        }
        return Expr::other(range);
    }
}

/// Build `l op r`, undoing the grammar's misparse of a comparison under a generic operator.
fn rotate(
    range: Range<usize>,
    core: Range<usize>,
    paren: bool,
    op: String,
    l: Expr,
    r: Expr,
) -> Expr {
    let generic = !COMPARISON.contains(&op.as_str()) && !ARITHMETIC.contains(&op.as_str());
    if generic && !r.paren && is_comparison(&r) {
        // l op (a CMP b)  →  (l op a) CMP b
        let Kind::Op {
            op: cmp,
            l: a,
            r: b,
        } = r.kind
        else {
            unreachable!()
        };
        let left_range = l.range.start..a.range.end;
        let left = Expr {
            core: left_range.clone(),
            range: left_range,
            paren: false,
            kind: Kind::Op {
                op,
                l: Box::new(l),
                r: a,
            },
        };
        return Expr {
            range,
            core,
            paren,
            kind: Kind::Op {
                op: cmp,
                l: Box::new(left),
                r: b,
            },
        };
    }
    if generic && !l.paren && is_comparison(&l) {
        // (a CMP b) op r  →  a CMP (b op r)
        let Kind::Op {
            op: cmp,
            l: a,
            r: b,
        } = l.kind
        else {
            unreachable!()
        };
        let right_range = b.range.start..r.range.end;
        let right = Expr {
            core: right_range.clone(),
            range: right_range,
            paren: false,
            kind: Kind::Op {
                op,
                l: b,
                r: Box::new(r),
            },
        };
        return Expr {
            range,
            core,
            paren,
            kind: Kind::Op {
                op: cmp,
                l: a,
                r: Box::new(right),
            },
        };
    }
    Expr {
        range,
        core,
        paren,
        kind: Kind::Op {
            op,
            l: Box::new(l),
            r: Box::new(r),
        },
    }
}

fn lower_call(kids: &[Node<'_>], src: &str, depth: usize) -> Kind {
    let name = identifier_parts(&src[kids[0].byte_range()]);
    let args = match kids.len() {
        3 if kids[1].kind() == "(" && kids[2].kind() == ")" => Vec::new(),
        4 if kids[2].kind() == "func_arg_list" => flatten_list(kids[2])
            .into_iter()
            .map(|arg| {
                let ak = children(arg);
                if ak.len() == 1 {
                    lower(ak[0], src, depth + 1)
                } else {
                    Expr::other(arg.byte_range())
                }
            })
            .collect(),
        _ => return Kind::Other,
    };
    Kind::Call { name, args }
}

/// The items of a left-recursive list node (`expr_list`, `func_arg_list`, `role_list`: `item` or
/// `list , item`), in source order, without recursion.
pub fn flatten_list(list: Node<'_>) -> Vec<Node<'_>> {
    let mut items = Vec::new();
    let kind = list.kind();
    let mut cur = list;
    loop {
        let kids = children(cur);
        match kids.as_slice() {
            [first, .., last] if first.kind() == kind => {
                items.push(*last);
                cur = *first;
            }
            [only] => {
                items.push(*only);
                break;
            }
            _ => break,
        }
    }
    items.reverse();
    items
}

/// `auth . "Role"` → `["auth", "Role"]`; unquoted parts are folded to lower case as PostgreSQL does.
pub fn identifier_parts(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    let mut cur = String::new();
    while i < b.len() {
        match b[i] {
            b'"' => {
                let mut j = i + 1;
                while j < b.len() {
                    if b[j] == b'"' {
                        if b.get(j + 1) == Some(&b'"') {
                            cur.push('"');
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    let ch_len = utf8_len(b[j]);
                    cur.push_str(&text[j..(j + ch_len).min(b.len())]);
                    j += ch_len;
                }
                i = j + 1;
            }
            b'.' => {
                parts.push(std::mem::take(&mut cur));
                i += 1;
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                let ch_len = utf8_len(b[i]);
                cur.push_str(&text[i..(i + ch_len).min(b.len())].to_ascii_lowercase());
                i += ch_len;
            }
        }
    }
    parts.push(cur);
    parts
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}

/// The value of a string literal token: `'a''b'`, `E'a\'b'`, `$$x$$`.
pub fn string_value(lit: &str) -> Option<String> {
    if let Some(rest) = lit.strip_prefix('$') {
        let tag_len = rest.find('$')? + 2;
        if lit.len() < 2 * tag_len {
            return None;
        }
        return Some(lit[tag_len..lit.len() - tag_len].to_string());
    }
    let (body, backslash) = if lit.starts_with(['e', 'E']) {
        (&lit[1..], true)
    } else {
        (lit, false)
    };
    let inner = body.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' && chars.peek() == Some(&'\'') {
            chars.next();
        } else if backslash && c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
            continue;
        }
        out.push(c);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_parts_fold_and_unquote() {
        assert_eq!(identifier_parts("AUTH.Role"), vec!["auth", "role"]);
        assert_eq!(
            identifier_parts("\"auth\" . \"Role\""),
            vec!["auth", "Role"]
        );
        assert_eq!(identifier_parts("\"a\"\"b\""), vec!["a\"b"]);
        assert_eq!(identifier_parts("Ünï"), vec!["Ünï"]);
    }

    /// Lower the USING expression of `create policy p on t using (<expr>)` and print it as S-expressions.
    fn lowered(expr: &str) -> String {
        let text = format!("create policy p on t using ({expr});");
        let tree = crate::parse::parse(&text).unwrap();
        // Find the a_expr under RowSecurityOptionalExpr (depth-first, iteratively).
        let mut stack = vec![tree.root_node()];
        let using = loop {
            let node = stack.pop().expect("a USING clause");
            if node.kind() == "RowSecurityOptionalExpr" {
                let mut cursor = node.walk();
                break node
                    .named_children(&mut cursor)
                    .find(|c| c.kind() == "a_expr")
                    .unwrap();
            }
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
        };
        show(&lower(using, &text, 0), &text)
    }

    fn show(e: &Expr, src: &str) -> String {
        match &e.kind {
            Kind::And(l, r) => format!("(and {} {})", show(l, src), show(r, src)),
            Kind::Or(l, r) => format!("(or {} {})", show(l, src), show(r, src)),
            Kind::Not(x) => format!("(not {})", show(x, src)),
            Kind::Op { op, l, r } => format!("({op} {} {})", show(l, src), show(r, src)),
            Kind::In { l, items, negated } => format!(
                "({} {} [{}])",
                if *negated { "not-in" } else { "in" },
                show(l, src),
                items
                    .iter()
                    .map(|i| show(i, src))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            Kind::Call { name, args } => format!(
                "{}({})",
                name.join("."),
                args.iter()
                    .map(|a| show(a, src))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Kind::Str(v) => format!("{v:?}"),
            Kind::SessionRole => "SESSION_ROLE".to_string(),
            Kind::Array(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(|i| show(i, src))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            Kind::Other => format!("<{}>", &src[e.range.clone()]),
        }
    }

    #[test]
    fn comparison_under_a_generic_operator_is_rotated() {
        // The grammar parses these as `auth.jwt() ->> ('role' = 'service_role')` and
        // `('service_role' = auth.jwt()) ->> 'role'`.
        assert_eq!(
            lowered("auth.jwt() ->> 'role' = 'service_role'"),
            r#"(= (->> auth.jwt() "role") "service_role")"#
        );
        assert_eq!(
            lowered("'service_role' = auth.jwt() ->> 'role'"),
            r#"(= "service_role" (->> auth.jwt() "role"))"#
        );
        // Written parentheses are kept as written.
        assert_eq!(
            lowered("auth.jwt() ->> ('role' = 'x')"),
            r#"(->> auth.jwt() (= "role" "x"))"#
        );
        assert_eq!(
            lowered("(auth.jwt() ->> 'role'::text) = 'service_role'::text"),
            r#"(= (->> auth.jwt() "role") "service_role")"#
        );
    }

    #[test]
    fn wrappers_casts_and_scalar_subselects_are_transparent() {
        assert_eq!(
            lowered("((select auth.role()))::text = 'a' and not x or current_user = 'b'"),
            r#"(or (and (= auth.role() "a") (not <x>)) (= SESSION_ROLE "b"))"#
        );
        assert_eq!(
            lowered("coalesce(auth.jwt() ->> 'role', '') = 'x'"),
            r#"(= coalesce((->> auth.jwt() "role"), "") "x")"#
        );
        assert_eq!(
            lowered("cast(auth.role() as text) in ('a', 'b')"),
            r#"(in auth.role() ["a" "b"])"#
        );
        assert_eq!(
            lowered("\"auth\".\"role\"() = ANY (ARRAY['a'::text])"),
            r#"(= auth.role() any(["a"]))"#
        );
        // A sub-select with a FROM is not a scalar wrapper.
        assert_eq!(
            lowered("(select role from r) = 'a'"),
            r#"(= <(select role from r)> "a")"#
        );
    }

    #[test]
    fn depth_is_capped() {
        let mut e = String::from("x");
        for _ in 0..(MAX_DEPTH + 50) {
            e = format!("(a or {e})");
        }
        // No stack overflow; the innermost levels are Other.
        assert!(lowered(&e).contains('<'));
    }

    #[test]
    fn string_values() {
        assert_eq!(string_value("'it''s'").as_deref(), Some("it's"));
        assert_eq!(string_value("E'it\\'s'").as_deref(), Some("it's"));
        assert_eq!(string_value("$q$x$q$").as_deref(), Some("x"));
        assert_eq!(string_value("'unterminated"), None);
    }
}
