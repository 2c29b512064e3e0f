//! Expressions, calls and their arguments. `expr_inner` is one match over the expression node kinds.

use super::*;

impl Lowerer<'_> {
    pub(super) fn expr(&mut self, node: Node) -> ExprId {
        if self.depth > MAX_DEPTH {
            return self.unknown(node);
        }
        self.depth += 1;
        let id = self.expr_inner(node);
        self.depth -= 1;
        id
    }

    pub(super) fn expr_inner(&mut self, node: Node) -> ExprId {
        let r = range(node);
        match node.kind() {
            "identifier" => {
                let name = self.node_text(node);
                if name == "undefined" {
                    return self.push(Expr::Undefined, r);
                }
                self.push(
                    Expr::Ident {
                        name: name.into(),
                        scope: self.scope,
                    },
                    r,
                )
            }
            "this" => self.push(Expr::This(self.class), r),
            "true" => self.push(Expr::Bool(true), r),
            "false" => self.push(Expr::Bool(false), r),
            "null" | "undefined" => self.push(Expr::Undefined, r),
            "string" => {
                let v = self.string_value(node);
                self.note_literal(&v, r);
                self.push(Expr::Str(v), r)
            }
            "template_string" => {
                let mut parts = Vec::new();
                let mut cursor = node.walk();
                let children: Vec<Node> = node.named_children(&mut cursor).collect();
                let mut plain = String::new();
                let mut has_subst = false;
                for c in children {
                    match c.kind() {
                        "string_fragment" => {
                            let s = self.node_text(c);
                            plain.push_str(s);
                            parts.push(TemplatePart::Str(s.into()));
                        }
                        "escape_sequence" => {
                            let s = unescape(self.node_text(c));
                            plain.push_str(&s);
                            parts.push(TemplatePart::Str(s.into()));
                        }
                        "template_substitution" => {
                            has_subst = true;
                            let inner = c.named_child(0);
                            let e = match inner {
                                Some(i) => self.expr(i),
                                None => self.unknown(c),
                            };
                            parts.push(TemplatePart::Expr(e));
                        }
                        _ => {}
                    }
                }
                if !has_subst {
                    self.note_literal(&plain, r);
                    return self.push(Expr::Str(plain.into()), r);
                }
                self.push(Expr::Template(parts), r)
            }
            "member_expression" => {
                let (Some(obj), Some(prop)) =
                    (self.field(node, F::Object), self.field(node, F::Property))
                else {
                    return self.walk_unknown(node);
                };
                let o = self.expr(obj);
                let name: Name = self.node_text(prop).into();
                let id = self.push(
                    Expr::Member {
                        obj: o,
                        prop: name.clone(),
                        prop_range: range(prop),
                    },
                    r,
                );
                if looks_like_env_name(&name) {
                    self.ir.env_reads.push(id);
                }
                id
            }
            "subscript_expression" => {
                let (Some(obj), Some(index)) =
                    (self.field(node, F::Object), self.field(node, F::Index))
                else {
                    return self.walk_unknown(node);
                };
                let o = self.expr(obj);
                if index.kind() == "string" {
                    let name = self.string_value(index);
                    let env = looks_like_env_name(&name);
                    let id = self.push(
                        Expr::Member {
                            obj: o,
                            prop: name,
                            prop_range: range(index),
                        },
                        r,
                    );
                    if env {
                        self.ir.env_reads.push(id);
                    }
                    return id;
                }
                let i = self.expr(index);
                let id = self.push(Expr::Index { obj: o, index: i }, r);
                self.ir.env_reads.push(id);
                id
            }
            "call_expression" => self.call(node),
            "new_expression" => {
                let callee = self.field(node, F::Constructor).map(|c| self.expr(c));
                let args = self
                    .field(node, F::Arguments)
                    .map(|a| self.args(a))
                    .unwrap_or_default();
                match callee {
                    Some(c) => {
                        let id = self.push(Expr::New { callee: c, args }, r);
                        self.ir.calls.push(CallSite {
                            expr: id,
                            method: None,
                        });
                        id
                    }
                    None => self.push(Expr::Unknown, r),
                }
            }
            "await_expression"
            | "parenthesized_expression"
            | "non_null_expression"
            | "as_expression"
            | "satisfies_expression"
            | "type_assertion" => {
                let mut cursor = node.walk();
                let inner = node
                    .named_children(&mut cursor)
                    .find(|c| !is_type_node(c.kind()));
                match inner {
                    Some(i) => {
                        // the inner expression's value, the whole `x!` / `x as T` / `(x)` as its range,
                        // so findings underline and fixes replace all of it
                        let id = self.expr(i);
                        self.ir.ranges[id] = r;
                        id
                    }
                    None => self.push(Expr::Unknown, r),
                }
            }
            "sequence_expression" => {
                let mut cursor = node.walk();
                let mut last = None;
                for c in node.named_children(&mut cursor) {
                    last = Some(self.expr(c));
                }
                last.unwrap_or_else(|| self.push(Expr::Unknown, r))
            }
            "binary_expression" => {
                let op = self
                    .field(node, F::Operator)
                    .map(|o| self.node_text(o))
                    .unwrap_or("");
                let (Some(left), Some(right)) =
                    (self.field(node, F::Left), self.field(node, F::Right))
                else {
                    return self.walk_unknown(node);
                };
                let l = self.expr(left);
                let rr = self.expr(right);
                match op {
                    "??" | "||" => self.push(Expr::Fallback { left: l, right: rr }, r),
                    "&&" => rr,
                    "+" => self.push(
                        Expr::Template(vec![TemplatePart::Expr(l), TemplatePart::Expr(rr)]),
                        r,
                    ),
                    _ => self.push(Expr::Unknown, r),
                }
            }
            "ternary_expression" => {
                let test = match self.field(node, F::Condition) {
                    Some(c) => self.expr(c),
                    None => self.push(Expr::Unknown, r),
                };
                let (Some(a), Some(b)) = (
                    self.field(node, F::Consequence),
                    self.field(node, F::Alternative),
                ) else {
                    return self.walk_unknown(node);
                };
                let then = self.expr(a);
                let other = self.expr(b);
                self.push(Expr::Cond { test, then, other }, r)
            }
            "assignment_expression" | "augmented_assignment_expression" => {
                let (Some(left), Some(right)) =
                    (self.field(node, F::Left), self.field(node, F::Right))
                else {
                    return self.walk_unknown(node);
                };
                let rhs = self.expr(right);
                self.assign(left, rhs);
                rhs
            }
            "object" => {
                let mut entries = Vec::new();
                let mut cursor = node.walk();
                for c in node.named_children(&mut cursor) {
                    match c.kind() {
                        "pair" => {
                            let (Some(k), Some(v)) =
                                (self.field(c, F::Key), self.field(c, F::Value))
                            else {
                                continue;
                            };
                            let key = self.prop_key(k);
                            let value = self.expr(v);
                            entries.push(ObjEntry::Prop {
                                key,
                                value,
                                key_range: range(k),
                            });
                        }
                        "shorthand_property_identifier" => {
                            let name = self.node_text(c);
                            let value = self.push(
                                Expr::Ident {
                                    name: name.into(),
                                    scope: self.scope,
                                },
                                range(c),
                            );
                            entries.push(ObjEntry::Prop {
                                key: PropKey::Name(name.into()),
                                value,
                                key_range: range(c),
                            });
                        }
                        "spread_element" => {
                            if let Some(inner) = c.named_child(0) {
                                let e = self.expr(inner);
                                entries.push(ObjEntry::Spread(e));
                            }
                        }
                        "method_definition" => {
                            let Some(k) = self.field(c, F::Name) else {
                                continue;
                            };
                            let key = self.prop_key(k);
                            let fid = self.function(c);
                            let value = self.push(Expr::Func(fid), range(c));
                            entries.push(ObjEntry::Prop {
                                key,
                                value,
                                key_range: range(k),
                            });
                        }
                        _ => {
                            self.expr(c);
                        }
                    }
                }
                let named = |n: &str| {
                    entries.iter().any(
                        |e| matches!(e, ObjEntry::Prop { key: PropKey::Name(k), .. } if &**k == n),
                    )
                };
                let provider = named("provide")
                    && ["useFactory", "useValue", "useClass", "useExisting"]
                        .iter()
                        .any(|n| named(n));
                let id = self.push(Expr::Object(entries), r);
                if provider {
                    self.ir.providers.push(id);
                }
                id
            }
            "array" => {
                let mut cursor = node.walk();
                let elems = node
                    .named_children(&mut cursor)
                    .map(|c| self.expr(c))
                    .collect();
                self.push(Expr::Array(elems), r)
            }
            "arrow_function" | "function_expression" | "function" | "generator_function" => {
                let fid = self.function(node);
                self.push(Expr::Func(fid), r)
            }
            "class" => {
                let cid = self.class(node);
                self.push(Expr::Class(cid), r)
            }
            "meta_property" => self.push(Expr::ImportMeta, r),
            k if is_type_node(k) => self.push(Expr::Unknown, r),
            k if is_statement_kind(k) => {
                self.stmt(node);
                self.push(Expr::Unknown, r)
            }
            _ => self.walk_unknown(node),
        }
    }

    /// An expression we do not model: still visit its children (calls inside JSX, etc.).
    pub(super) fn walk_unknown(&mut self, node: Node) -> ExprId {
        let mut cursor = node.walk();
        for c in node.named_children(&mut cursor) {
            if is_statement_kind(c.kind()) {
                self.stmt(c);
            } else if !is_type_node(c.kind()) {
                self.expr(c);
            }
        }
        self.unknown(node)
    }

    pub(super) fn args(&mut self, args: Node) -> Vec<ExprId> {
        let mut cursor = args.walk();
        let children: Vec<Node> = args.named_children(&mut cursor).collect();
        children
            .into_iter()
            .filter(|c| c.kind() != "comment")
            .map(|c| {
                if c.kind() == "spread_element" {
                    self.walk_unknown(c)
                } else {
                    self.expr(c)
                }
            })
            .collect()
    }

    pub(super) fn call(&mut self, node: Node) -> ExprId {
        let r = range(node);
        let Some(func) = self.field(node, F::Function) else {
            return self.walk_unknown(node);
        };
        let args_node = self.field(node, F::Arguments);
        if args_node.is_some_and(|a| a.kind() == "template_string") {
            return self.walk_unknown(node);
        }
        // require('x') and import('x')
        let is_import = func.kind() == "import";
        let is_require = func.kind() == "identifier" && self.node_text(func) == "require";
        if is_import || is_require {
            if let Some(first) = args_node.and_then(|a| a.named_child(0)) {
                if first.kind() == "string" {
                    let spec = self.string_value(first);
                    self.note_specifier(&spec);
                    if &*spec == "server-only" {
                        self.ir.imports_server_only = true;
                    }
                    return self.push(Expr::Require(spec), r);
                }
            }
        }
        let callee = self.expr(func);
        let args = args_node.map(|a| self.args(a)).unwrap_or_default();
        let method = match self.ir.expr(callee) {
            Expr::Member { obj, prop, .. } => Some((*obj, prop.clone())),
            _ => None,
        };
        let id = self.push(Expr::Call { callee, args }, r);
        self.ir.calls.push(CallSite { expr: id, method });
        if matches!(self.ir.expr(callee), Expr::Member { prop, .. } if &**prop == "get") {
            self.ir.env_reads.push(id);
        }
        id
    }
}
