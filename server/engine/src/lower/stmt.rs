//! Statements: imports, exports (ESM and CommonJS), declarations.

use super::*;

impl Lowerer<'_> {
    pub(super) fn stmts(&mut self, node: Node) {
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            self.stmt(child);
        }
    }

    pub(super) fn stmt(&mut self, node: Node) {
        if self.depth > MAX_DEPTH {
            return;
        }
        self.depth += 1;
        match node.kind() {
            "import_statement" => self.import_stmt(node),
            "export_statement" => self.export_stmt(node),
            "lexical_declaration" | "variable_declaration" => {
                self.var_decl(node);
            }
            "function_declaration" | "generator_function_declaration" => {
                self.func_decl(node);
            }
            "class_declaration" | "abstract_class_declaration" => {
                self.class_decl(node);
            }
            "return_statement" => {
                if let Some(e) = node.named_child(0) {
                    let id = self.expr(e);
                    if let Some(f) = self.func {
                        self.ir.funcs[f].returns.push(id);
                    }
                }
            }
            "statement_block" => {
                let saved = self.scope;
                self.scope = self.new_scope();
                self.stmts(node);
                self.scope = saved;
            }
            "for_in_statement" => {
                // `for (const x of xs)`: x is unknown
                if let Some(left) = self.field(node, F::Left) {
                    let u = self.unknown(left);
                    self.bind_pattern(left, u, BindingKind::Var);
                }
                if let Some(right) = self.field(node, F::Right) {
                    self.expr(right);
                }
                if let Some(body) = self.field(node, F::Body) {
                    self.stmt(body);
                }
            }
            "catch_clause" => {
                let saved = self.scope;
                self.scope = self.new_scope();
                if let Some(p) = self.field(node, F::Parameter) {
                    let u = self.unknown(p);
                    self.bind_pattern(p, u, BindingKind::Var);
                }
                if let Some(body) = self.field(node, F::Body) {
                    self.stmts(body);
                }
                self.scope = saved;
            }
            "expression_statement" => {
                let mut cursor = node.walk();
                for c in node.named_children(&mut cursor) {
                    self.expr(c);
                }
            }
            "internal_module" | "module" => {
                if let Some(body) = self.field(node, F::Body) {
                    self.stmts(body);
                }
            }
            k if is_type_node(k) => {}
            _ => {
                // if/for/while/try/switch/labeled/throw…: statements and expressions inside
                let mut cursor = node.walk();
                for c in node.named_children(&mut cursor) {
                    if is_statement_kind(c.kind()) {
                        self.stmt(c);
                    } else {
                        self.expr(c);
                    }
                }
            }
        }
        self.depth -= 1;
    }

    pub(super) fn import_stmt(&mut self, node: Node) {
        let Some(source_node) = self.field(node, F::Source) else {
            return;
        };
        let source = self.string_value(source_node);
        self.note_specifier(&source);
        self.last_import_end = Some(node.end_byte() as u32);
        if &*source == "server-only" {
            self.ir.imports_server_only = true;
        }
        let mut cursor = node.walk();
        let clause = node
            .named_children(&mut cursor)
            .find(|c| c.kind() == "import_clause");
        let Some(clause) = clause else { return };
        let mut cursor = clause.walk();
        for part in clause.named_children(&mut cursor) {
            match part.kind() {
                "identifier" => self.import_binding(part, &source, ImportKind::Default),
                "namespace_import" => {
                    if let Some(id) = part.named_child(0) {
                        self.import_binding(id, &source, ImportKind::Namespace);
                    }
                }
                "named_imports" => {
                    let mut c2 = part.walk();
                    let specs: Vec<Node> = part
                        .named_children(&mut c2)
                        .filter(|n| n.kind() == "import_specifier")
                        .collect();
                    for spec in specs {
                        let Some(name) = self.field(spec, F::Name) else {
                            continue;
                        };
                        let local = self.field(spec, F::Alias).unwrap_or(name);
                        let imported: Name = if name.kind() == "string" {
                            self.string_value(name)
                        } else {
                            self.node_text(name).into()
                        };
                        let kind = if &*imported == "default" {
                            ImportKind::Default
                        } else {
                            ImportKind::Named(imported)
                        };
                        self.import_binding(local, &source, kind);
                    }
                }
                _ => {}
            }
        }
    }

    pub(super) fn import_binding(&mut self, local: Node, source: &str, kind: ImportKind) {
        let idx = self.ir.imports.push(Import {
            source: source.into(),
            kind,
            range: range(local),
        });
        let name = self.node_text(local);
        self.declare(name, BindingKind::Import(idx), None, range(local));
    }

    pub(super) fn note_specifier(&mut self, spec: &str) {
        if spec.starts_with("npm:") || spec.starts_with("jsr:") || spec.starts_with("https://") {
            self.ir.is_deno = true;
        }
        self.ir.specifiers.push(spec.into());
    }

    pub(super) fn export_stmt(&mut self, node: Node) {
        let source = self.field(node, F::Source).map(|s| self.string_value(s));
        if let Some(src) = &source {
            self.note_specifier(src);
            self.last_import_end = Some(node.end_byte() as u32);
        }
        let is_default = {
            let mut c = node.walk();
            let has = node.children(&mut c).any(|ch| ch.kind() == "default");
            has
        };
        // `@Module({ … }) export class AppModule {}`: the decorators belong to the export statement
        self.decorators(node);
        if let Some(decl) = self.field(node, F::Declaration) {
            let names = match decl.kind() {
                "lexical_declaration" | "variable_declaration" => self.var_decl(decl),
                "function_declaration" | "generator_function_declaration" => {
                    self.func_decl(decl).into_iter().collect()
                }
                "class_declaration" | "abstract_class_declaration" => {
                    self.class_decl(decl).into_iter().collect()
                }
                _ => {
                    self.stmt(decl);
                    Vec::new()
                }
            };
            for b in names {
                let name = self.ir.bindings[b].name.clone();
                let key: Name = if is_default { "default".into() } else { name };
                self.ir.exports.insert(key, ExportTarget::Binding(b));
            }
            return;
        }
        if let Some(value) = self.field(node, F::Value) {
            let id = self.expr(value);
            self.ir
                .exports
                .insert("default".into(), ExportTarget::Expr(id));
            return;
        }
        let mut cursor = node.walk();
        let mut saw_clause = false;
        for child in node.named_children(&mut cursor) {
            match child.kind() {
                "export_clause" => {
                    saw_clause = true;
                    let mut c2 = child.walk();
                    let specs: Vec<Node> = child
                        .named_children(&mut c2)
                        .filter(|n| n.kind() == "export_specifier")
                        .collect();
                    for spec in specs {
                        let Some(name) = self.field(spec, F::Name) else {
                            continue;
                        };
                        let local: Name = self.node_text(name).into();
                        let exported: Name = self
                            .field(spec, F::Alias)
                            .map(|a| self.node_text(a).into())
                            .unwrap_or(local.clone());
                        match &source {
                            Some(src) => {
                                self.ir.exports.insert(
                                    exported,
                                    ExportTarget::Reexport {
                                        source: src.clone(),
                                        name: local,
                                    },
                                );
                            }
                            None => self.pending_exports.push((exported, local)),
                        }
                    }
                }
                "namespace_export" => {
                    saw_clause = true;
                    if let (Some(src), Some(id)) = (&source, child.named_child(0)) {
                        let name: Name = if id.kind() == "string" {
                            self.string_value(id)
                        } else {
                            self.node_text(id).into()
                        };
                        self.ir.exports.insert(
                            name,
                            ExportTarget::ReexportNamespace {
                                source: src.clone(),
                            },
                        );
                    }
                }
                _ => {}
            }
        }
        if !saw_clause {
            if let Some(src) = source {
                self.ir.star_exports.push(src);
            }
        }
    }

    /// Returns the bindings declared.
    pub(super) fn var_decl(&mut self, node: Node) -> Vec<BindingId> {
        let mut out = Vec::new();
        let mut cursor = node.walk();
        let declarators: Vec<Node> = node
            .named_children(&mut cursor)
            .filter(|n| n.kind() == "variable_declarator")
            .collect();
        for d in declarators {
            let Some(name) = self.field(d, F::Name) else {
                continue;
            };
            let value = match self.field(d, F::Value) {
                Some(v) => self.expr(v),
                None => self.push(Expr::Unknown, range(name)),
            };
            // a declaration without initialiser gets its value from assignments only
            let value = if self.field(d, F::Value).is_none() {
                None
            } else {
                Some(value)
            };
            out.extend(self.bind_pattern_opt(name, value, BindingKind::Var));
        }
        out
    }

    pub(super) fn func_decl(&mut self, node: Node) -> Option<BindingId> {
        let name = self.field(node, F::Name)?;
        // declare first (hoisting, recursion)
        let fid = self.function(node);
        let e = self.push(Expr::Func(fid), range(node));
        Some(self.declare(
            self.node_text(name),
            BindingKind::Func(fid),
            Some(e),
            range(name),
        ))
    }

    pub(super) fn class_decl(&mut self, node: Node) -> Option<BindingId> {
        let name = self.field(node, F::Name);
        let cid = self.class(node);
        let e = self.push(Expr::Class(cid), range(node));
        let name = name?;
        Some(self.declare(
            self.node_text(name),
            BindingKind::Class(cid),
            Some(e),
            range(name),
        ))
    }

    pub(super) fn cjs_exports(&mut self, rhs: ExprId) {
        if let Expr::Object(entries) = self.ir.expr(rhs).clone() {
            for e in entries {
                if let ObjEntry::Prop {
                    key: PropKey::Name(n),
                    value,
                    ..
                } = e
                {
                    self.ir.exports.insert(n, ExportTarget::Expr(value));
                }
            }
        }
        self.ir
            .exports
            .insert("default".into(), ExportTarget::Expr(rhs));
    }
}
