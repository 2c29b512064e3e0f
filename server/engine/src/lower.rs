//! Lowering: a tree-sitter tree becomes the file's [`FileIr`].
//!
//! Each top-level statement is walked on its own into a [`Fragment`], and the fragments are composed into
//! the file's summary (exactly what one walk over the whole file gives; tests check it). An editor keeps the
//! fragments of an open file, and [`lower_reusing`] re-walks only the statements an edit changed.
//!
//! The walk is recursive but bounded by [`MAX_DEPTH`]: deeper subtrees (100,000 nested parentheses in a
//! hostile file) are skipped, which can only lose findings, never crash. Type-only syntax is skipped.

use rlscope_core::keys::classify_literal;
use rlscope_core::TextRange;
use std::borrow::Cow;
use std::sync::Arc;

use tree_sitter::{Node, Tree};

use crate::ir::*;
use crate::lang::Lang;

const MAX_DEPTH: u32 = 400;

/// A file's summary, built from one fragment per top-level statement.
pub fn lower(tree: &Tree, text: &str) -> FileIr {
    let root = tree.root_node();
    let fields = field_ids(&tree.language());
    let mut cursor = root.walk();
    let frags = root
        .named_children(&mut cursor)
        .map(|node| (range(node), Cow::Owned(lower_statement(node, text, fields))));
    let mut ir = compose(frags);
    module_facts(&mut ir, root, text);
    ir
}

/// A script's summary from its text; `None` for other files, or when parsing or lowering fails.
pub(crate) fn lower_text(lang: Lang, text: &str) -> Option<FileIr> {
    if !lang.is_script() {
        return None;
    }
    let tree = crate::document::parse(lang, text, None)?;
    // a bug in lowering one file must not take the whole run down: that file just has no summary
    crate::panic_guard::catch_panic(|| lower(&tree, text))
}

/// One top-level statement lowered on its own: a [`FileIr`] whose scope 0 stands for the module scope and
/// holds only this statement's module-level declarations. Lowering a statement depends on nothing outside
/// it (identifiers stay unresolved, assignments to outer names and `export { x }` are resolved when the
/// fragments are composed), so a fragment can be reused for the same statement text anywhere in a later
/// version of the file: that is what makes a keystroke re-lower one statement instead of the whole file.
#[derive(Clone, Debug)]
pub struct Fragment {
    ir: FileIr,
    pending_assigns: Vec<(Name, ScopeId, ExprId)>,
    pending_exports: Vec<(Name, Name)>,
    last_import_end: Option<u32>,
    /// Where the statement started when it was lowered: ranges move by `new start - base` on reuse.
    base: u32,
    /// The statement's node kind, and whether its subtree was free of syntax errors: only a clean
    /// statement of the same kind and text is reused (error recovery may parse the same text differently).
    kind: u16,
    clean: bool,
}

/// The fragments of one version of a file, with each statement's range in that version's text.
pub type Fragments = Vec<(TextRange, Arc<Fragment>)>;

/// Lowers `tree` (of `text`), reusing the fragments of an earlier version (`prev`: its text and
/// fragments) for every leading and trailing top-level statement whose text did not change. Returns the
/// summary and this version's fragments (to pass as `prev` next time).
pub fn lower_reusing(
    tree: &Tree,
    text: &str,
    prev: Option<(&str, &Fragments)>,
) -> (FileIr, Fragments) {
    let root = tree.root_node();
    let fields = field_ids(&tree.language());
    let mut cursor = root.walk();
    let stmts: Vec<Node> = root.named_children(&mut cursor).collect();
    let same = |new: Node, old: &(TextRange, Arc<Fragment>), old_text: &str| {
        old.1.clean
            && !new.has_error()
            && old.1.kind == new.kind_id()
            && old_text.get(old.0.start as usize..old.0.end as usize) == Some(node_str(text, new))
    };
    // an edit usually touches one statement: reuse the unchanged prefix and suffix
    let (mut head, mut tail) = (0, 0);
    if let Some((old_text, old)) = prev {
        while head < stmts.len() && head < old.len() && same(stmts[head], &old[head], old_text) {
            head += 1;
        }
        while tail < stmts.len() - head
            && tail < old.len() - head
            && same(
                stmts[stmts.len() - 1 - tail],
                &old[old.len() - 1 - tail],
                old_text,
            )
        {
            tail += 1;
        }
    }
    let mut frags: Fragments = Vec::with_capacity(stmts.len());
    for (i, &node) in stmts.iter().enumerate() {
        let reused = match prev {
            Some((_, old)) if i < head => Some(old[i].1.clone()),
            Some((_, old)) if i >= stmts.len() - tail => {
                Some(old[old.len() - (stmts.len() - i)].1.clone())
            }
            _ => None,
        };
        let frag = reused.unwrap_or_else(|| Arc::new(lower_statement(node, text, fields)));
        frags.push((range(node), frag));
    }
    let mut ir = compose(frags.iter().map(|(r, f)| (*r, Cow::Borrowed(&**f))));
    module_facts(&mut ir, root, text);
    (ir, frags)
}

fn node_str<'t>(text: &'t str, node: Node) -> &'t str {
    text.get(node.byte_range()).unwrap_or("")
}

fn lower_statement(node: Node, text: &str, fields: FieldIds) -> Fragment {
    let mut l = Lowerer::new(text, fields);
    l.stmt(node);
    Fragment {
        ir: l.ir,
        pending_assigns: l.pending_assigns,
        pending_exports: l.pending_exports,
        last_import_end: l.last_import_end,
        base: node.start_byte() as u32,
        kind: node.kind_id(),
        clean: !node.has_error(),
    }
}

/// What only the whole file tells: syntax errors, the directive prologue, Deno, top-level ranges.
fn module_facts(ir: &mut FileIr, root: Node, text: &str) {
    ir.has_syntax_errors = root.has_error();
    ir.is_deno |= text.contains("Deno.");
    ir.top_level = {
        let mut c = root.walk();
        root.named_children(&mut c).map(range).collect()
    };
    // directives: leading expression statements that are plain strings
    let mut prologue_end = None;
    let mut cursor = root.walk();
    for child in root.named_children(&mut cursor) {
        if child.kind() == "comment" {
            continue;
        }
        if child.kind() == "expression_statement" {
            if let Some(s) = child.named_child(0).filter(|n| n.kind() == "string") {
                if &*string_value(text, s) == "use client" {
                    ir.use_client = true;
                }
                // new imports go after the directive prologue
                prologue_end = Some(child.end_byte() as u32);
                continue;
            }
        }
        break;
    }
    // after the last import if there is one (set by `compose`), else after the prologue
    if ir.import_insert_at == u32::MAX {
        ir.import_insert_at = prologue_end.unwrap_or(0);
    }
}

/// Joins fragments (in statement order, each with its range in the current text) into one summary: ids
/// are offset, ranges moved, module-level redeclarations merged, and assignments to outer names and
/// `export { x }` resolved, exactly as one walk over the whole file would have produced them.
fn compose<'f>(frags: impl Iterator<Item = (TextRange, Cow<'f, Fragment>)>) -> FileIr {
    let mut out = FileIr::default();
    out.scopes.push(Scope::default());
    let mut pending_assigns = Vec::new();
    let mut pending_exports = Vec::new();
    let mut last_import_end = None;
    for (at, frag) in frags {
        let mut f = frag.into_owned();
        let delta = at.start as i64 - f.base as i64;
        let mv = |r: TextRange| {
            TextRange::new(
                (r.start as i64 + delta) as u32,
                (r.end as i64 + delta) as u32,
            )
        };
        let e0 = out.exprs.len() as u32;
        let f0 = out.funcs.len() as u32;
        let c0 = out.classes.len() as u32;
        let i0 = out.imports.len() as u32;
        let s0 = out.scopes.len() as u32 - 1;
        let scope = |s: ScopeId| if s == 0 { 0 } else { s + s0 };
        let ir = &mut f.ir;

        // bindings: a module-level name declared by an earlier statement merges into that binding
        let mut bmap: Vec<BindingId> = Vec::with_capacity(ir.bindings.len());
        for (local, mut b) in std::mem::take(&mut ir.bindings).into_iter().enumerate() {
            for i in &mut b.inits {
                *i += e0;
            }
            b.decl = mv(b.decl);
            let module_level = ir.scopes[0].names.get(&b.name) == Some(&(local as BindingId));
            if module_level {
                if let Some(&existing) = out.scopes[0].names.get(&b.name) {
                    out.bindings[existing as usize].inits.extend(b.inits);
                    bmap.push(existing);
                    continue;
                }
            }
            b.kind = match b.kind {
                BindingKind::Func(x) => BindingKind::Func(x + f0),
                BindingKind::Class(x) => BindingKind::Class(x + c0),
                BindingKind::Import(x) => BindingKind::Import(x + i0),
                k => k,
            };
            let id = out.bindings.len() as BindingId;
            if module_level {
                out.scopes[0].names.insert(b.name.clone(), id);
            }
            out.bindings.push(b);
            bmap.push(id);
        }
        for mut sc in std::mem::take(&mut ir.scopes).into_iter().skip(1) {
            sc.parent = sc.parent.map(scope);
            for b in sc.names.values_mut() {
                *b = bmap[*b as usize];
            }
            out.scopes.push(sc);
        }
        for (e, r) in ir.exprs.iter_mut().zip(ir.ranges.iter_mut()) {
            *r = mv(*r);
            relocate_expr(e, e0, f0, c0, &scope, &mv);
        }
        out.exprs.append(&mut ir.exprs);
        out.ranges.append(&mut ir.ranges);
        for mut func in ir.funcs.drain(..) {
            func.range = mv(func.range);
            for r in &mut func.returns {
                *r += e0;
            }
            out.funcs.push(func);
        }
        for mut class in ir.classes.drain(..) {
            class.range = mv(class.range);
            for v in class.fields.values_mut().flatten() {
                *v += e0;
            }
            for m in class.methods.values_mut().chain(class.getters.values_mut()) {
                *m += f0;
            }
            if let Some(c) = &mut class.constructor {
                *c += f0;
            }
            out.classes.push(class);
        }
        for mut imp in ir.imports.drain(..) {
            imp.range = mv(imp.range);
            out.imports.push(imp);
        }
        for (name, target) in std::mem::take(&mut ir.exports) {
            let target = match target {
                ExportTarget::Expr(e) => ExportTarget::Expr(e + e0),
                ExportTarget::Binding(b) => ExportTarget::Binding(bmap[b as usize]),
                t => t,
            };
            out.exports.insert(name, target);
        }
        out.star_exports.append(&mut ir.star_exports);
        for mut call in ir.calls.drain(..) {
            call.expr += e0;
            if let Some((obj, _)) = &mut call.method {
                *obj += e0;
            }
            out.calls.push(call);
        }
        out.env_reads.extend(ir.env_reads.iter().map(|e| e + e0));
        for mut lit in ir.key_literals.drain(..) {
            lit.range = mv(lit.range);
            out.key_literals.push(lit);
        }
        out.specifiers.append(&mut ir.specifiers);
        out.imports_server_only |= ir.imports_server_only;
        out.is_deno |= ir.is_deno;
        pending_assigns.extend(
            f.pending_assigns
                .into_iter()
                .map(|(name, s, rhs)| (name, scope(s), rhs + e0)),
        );
        pending_exports.append(&mut f.pending_exports);
        if let Some(end) = f.last_import_end {
            last_import_end = Some((end as i64 + delta) as u32);
        }
    }
    for (name, scope, rhs) in pending_assigns {
        if let Some(b) = out.lookup(scope, &name) {
            out.bindings[b as usize].inits.push(rhs);
        }
    }
    for (exported, local) in pending_exports {
        if let Some(b) = out.lookup(0, &local) {
            out.exports.insert(exported, ExportTarget::Binding(b));
        }
    }
    out.import_insert_at = last_import_end.unwrap_or(u32::MAX);
    out
}

fn relocate_expr(
    e: &mut Expr,
    e0: u32,
    f0: u32,
    c0: u32,
    scope: &impl Fn(ScopeId) -> ScopeId,
    mv: &impl Fn(TextRange) -> TextRange,
) {
    match e {
        Expr::Unknown
        | Expr::Str(_)
        | Expr::Bool(_)
        | Expr::Undefined
        | Expr::ImportMeta
        | Expr::Require(_)
        | Expr::This(None) => {}
        Expr::Template(parts) => {
            for p in parts {
                if let TemplatePart::Expr(x) = p {
                    *x += e0;
                }
            }
        }
        Expr::Ident { scope: s, .. } => *s = scope(*s),
        Expr::Member {
            obj, prop_range, ..
        } => {
            *obj += e0;
            *prop_range = mv(*prop_range);
        }
        Expr::Index { obj, index } => {
            *obj += e0;
            *index += e0;
        }
        Expr::Call { callee, args } | Expr::New { callee, args } => {
            *callee += e0;
            for a in args {
                *a += e0;
            }
        }
        Expr::Object(entries) => {
            for entry in entries {
                match entry {
                    ObjEntry::Prop {
                        value, key_range, ..
                    } => {
                        *value += e0;
                        *key_range = mv(*key_range);
                    }
                    ObjEntry::Spread(x) => *x += e0,
                }
            }
        }
        Expr::Array(xs) => {
            for x in xs {
                *x += e0;
            }
        }
        Expr::Func(f) => *f += f0,
        Expr::Class(c) | Expr::This(Some(c)) => *c += c0,
        Expr::Cond { test, then, other } => {
            *test += e0;
            *then += e0;
            *other += e0;
        }
        Expr::Fallback { left, right } => {
            *left += e0;
            *right += e0;
        }
        Expr::Param { func, .. } => *func += f0,
    }
}

/// The whole file in one walk, as before fragments: the reference the composition is tested against.
#[cfg(test)]
fn lower_whole(tree: &Tree, text: &str) -> FileIr {
    let root = tree.root_node();
    let mut l = Lowerer::new(text, field_ids(&tree.language()));
    l.stmts(root);
    l.finish();
    let mut ir = l.ir;
    module_facts(&mut ir, root, text);
    ir
}

/// The grammar fields lowering reads, looked up by id (a name lookup compares strings every time).
#[derive(Clone, Copy)]
enum F {
    Alias,
    Alternative,
    Arguments,
    Body,
    Condition,
    Consequence,
    Constructor,
    Declaration,
    Function,
    Index,
    Key,
    Left,
    Name,
    Object,
    Operator,
    Parameter,
    Parameters,
    Pattern,
    Property,
    Right,
    Source,
    Value,
}

const FIELD_NAMES: [&str; 22] = [
    "alias",
    "alternative",
    "arguments",
    "body",
    "condition",
    "consequence",
    "constructor",
    "declaration",
    "function",
    "index",
    "key",
    "left",
    "name",
    "object",
    "operator",
    "parameter",
    "parameters",
    "pattern",
    "property",
    "right",
    "source",
    "value",
];

/// Field ids of one grammar (TS and TSX number them separately), indexed by [`F`].
type FieldIds = [u16; 22];

fn field_ids(lang: &tree_sitter::Language) -> FieldIds {
    FIELD_NAMES.map(|n| lang.field_id_for_name(n).map_or(0, |id| id.get()))
}

struct Lowerer<'a> {
    text: &'a str,
    fields: FieldIds,
    ir: FileIr,
    scope: ScopeId,
    func: Option<FuncId>,
    class: Option<ClassId>,
    depth: u32,
    pending_assigns: Vec<(Name, ScopeId, ExprId)>,
    /// `export { a as b }`: (exported name, local name)
    pending_exports: Vec<(Name, Name)>,
    last_import_end: Option<u32>,
}

fn range(node: Node) -> TextRange {
    TextRange::from_usize(node.start_byte(), node.end_byte())
}

fn is_type_node(kind: &str) -> bool {
    matches!(
        kind,
        "type_annotation"
            | "type_arguments"
            | "type_parameters"
            | "interface_declaration"
            | "type_alias_declaration"
            | "enum_declaration"
            | "predefined_type"
            | "type_identifier"
            | "ambient_declaration"
            | "comment"
            | "asserts_annotation"
            | "opting_type_annotation"
            | "omitting_type_annotation"
    )
}

impl<'a> Lowerer<'a> {
    fn new(text: &'a str, fields: FieldIds) -> Lowerer<'a> {
        let mut ir = FileIr::default();
        ir.scopes.push(Scope::default());
        Lowerer {
            text,
            fields,
            ir,
            scope: 0,
            func: None,
            class: None,
            depth: 0,
            pending_assigns: Vec::new(),
            pending_exports: Vec::new(),
            last_import_end: None,
        }
    }

    fn field<'t>(&self, node: Node<'t>, f: F) -> Option<Node<'t>> {
        node.child_by_field_id(self.fields[f as usize])
    }

    fn node_text(&self, node: Node) -> &'a str {
        &self.text[node.byte_range()]
    }

    fn push(&mut self, expr: Expr, r: TextRange) -> ExprId {
        self.ir.exprs.push(expr);
        self.ir.ranges.push(r);
        (self.ir.exprs.len() - 1) as ExprId
    }

    fn unknown(&mut self, node: Node) -> ExprId {
        self.push(Expr::Unknown, range(node))
    }

    fn new_scope(&mut self) -> ScopeId {
        self.ir.scopes.push(Scope {
            parent: Some(self.scope),
            names: Default::default(),
        });
        (self.ir.scopes.len() - 1) as ScopeId
    }

    fn declare(
        &mut self,
        name: &str,
        kind: BindingKind,
        init: Option<ExprId>,
        decl: TextRange,
    ) -> BindingId {
        let scope = &mut self.ir.scopes[self.scope as usize];
        if let Some(&existing) = scope.names.get(name) {
            // redeclaration (`var` twice, overloads): merge
            if let Some(i) = init {
                self.ir.bindings[existing as usize].inits.push(i);
            }
            return existing;
        }
        let id = self.ir.bindings.len() as BindingId;
        self.ir.bindings.push(Binding {
            name: name.into(),
            kind,
            inits: init.into_iter().collect(),
            decl,
        });
        scope.names.insert(name.into(), id);
        id
    }

    #[cfg(test)]
    fn finish(&mut self) {
        for (name, scope, rhs) in std::mem::take(&mut self.pending_assigns) {
            if let Some(b) = self.ir.lookup(scope, &name) {
                self.ir.bindings[b as usize].inits.push(rhs);
            }
        }
        for (exported, local) in std::mem::take(&mut self.pending_exports) {
            let target = match self.ir.lookup(0, &local) {
                Some(b) => ExportTarget::Binding(b),
                None => continue,
            };
            self.ir.exports.insert(exported, target);
        }
        self.ir.import_insert_at = self.last_import_end.unwrap_or(u32::MAX);
    }

    // ---------------------------------------------------------------- statements

    fn stmts(&mut self, node: Node) {
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            self.stmt(child);
        }
    }

    fn stmt(&mut self, node: Node) {
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
                        self.ir.funcs[f as usize].returns.push(id);
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

    fn import_stmt(&mut self, node: Node) {
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

    fn import_binding(&mut self, local: Node, source: &str, kind: ImportKind) {
        let idx = self.ir.imports.len() as u32;
        self.ir.imports.push(Import {
            source: source.into(),
            kind,
            range: range(local),
        });
        let name = self.node_text(local);
        self.declare(name, BindingKind::Import(idx), None, range(local));
    }

    fn note_specifier(&mut self, spec: &str) {
        if spec.starts_with("npm:") || spec.starts_with("jsr:") || spec.starts_with("https://") {
            self.ir.is_deno = true;
        }
        self.ir.specifiers.push(spec.into());
    }

    fn export_stmt(&mut self, node: Node) {
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
                let name = self.ir.bindings[b as usize].name.clone();
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
    fn var_decl(&mut self, node: Node) -> Vec<BindingId> {
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

    fn func_decl(&mut self, node: Node) -> Option<BindingId> {
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

    fn class_decl(&mut self, node: Node) -> Option<BindingId> {
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

    // ---------------------------------------------------------------- patterns

    fn bind_pattern(&mut self, pat: Node, value: ExprId, kind: BindingKind) -> Vec<BindingId> {
        self.bind_pattern_opt(pat, Some(value), kind)
    }

    fn bind_pattern_opt(
        &mut self,
        pat: Node,
        value: Option<ExprId>,
        kind: BindingKind,
    ) -> Vec<BindingId> {
        let mut out = Vec::new();
        let mut work = vec![(pat, value)];
        while let Some((pat, value)) = work.pop() {
            if out.len() > 256 {
                break;
            }
            match pat.kind() {
                "identifier" | "shorthand_property_identifier_pattern" => {
                    let name = self.node_text(pat);
                    out.push(self.declare(name, kind.clone(), value, range(pat)));
                }
                "object_pattern" => {
                    let mut cursor = pat.walk();
                    for entry in pat.named_children(&mut cursor) {
                        match entry.kind() {
                            "shorthand_property_identifier_pattern" => {
                                let v = value.map(|v| {
                                    self.member_of(v, self.node_text(entry).into(), range(entry))
                                });
                                work.push((entry, v));
                            }
                            "pair_pattern" => {
                                let (Some(k), Some(vp)) =
                                    (self.field(entry, F::Key), self.field(entry, F::Value))
                                else {
                                    continue;
                                };
                                let key = self.prop_key(k);
                                let v = match (value, key) {
                                    (Some(v), PropKey::Name(n)) => {
                                        Some(self.member_of(v, n, range(k)))
                                    }
                                    _ => Some(self.unknown(k)),
                                };
                                work.push((vp, v));
                            }
                            "object_assignment_pattern" => {
                                let (Some(left), Some(right)) =
                                    (self.field(entry, F::Left), self.field(entry, F::Right))
                                else {
                                    continue;
                                };
                                let member = value.map(|v| {
                                    self.member_of(v, self.node_text(left).into(), range(left))
                                });
                                let default = self.expr(right);
                                let v = match member {
                                    Some(m) => self.push(
                                        Expr::Fallback {
                                            left: m,
                                            right: default,
                                        },
                                        range(entry),
                                    ),
                                    None => default,
                                };
                                work.push((left, Some(v)));
                            }
                            "rest_pattern" => {
                                if let Some(inner) = entry.named_child(0) {
                                    let u = self.unknown(inner);
                                    work.push((inner, Some(u)));
                                }
                            }
                            _ => {}
                        }
                    }
                }
                "assignment_pattern" => {
                    let (Some(left), Some(right)) =
                        (self.field(pat, F::Left), self.field(pat, F::Right))
                    else {
                        continue;
                    };
                    let default = self.expr(right);
                    let v = match value {
                        Some(v) => self.push(
                            Expr::Fallback {
                                left: v,
                                right: default,
                            },
                            range(pat),
                        ),
                        None => default,
                    };
                    work.push((left, Some(v)));
                }
                "array_pattern" | "rest_pattern" => {
                    let mut cursor = pat.walk();
                    for e in pat.named_children(&mut cursor) {
                        let u = self.unknown(e);
                        work.push((e, Some(u)));
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn member_of(&mut self, obj: ExprId, prop: Name, r: TextRange) -> ExprId {
        self.push(
            Expr::Member {
                obj,
                prop,
                prop_range: r,
            },
            r,
        )
    }

    fn prop_key(&mut self, k: Node) -> PropKey {
        match k.kind() {
            "property_identifier" | "identifier" | "private_property_identifier" => {
                PropKey::Name(self.node_text(k).into())
            }
            "string" => PropKey::Name(self.string_value(k)),
            "number" => PropKey::Name(self.node_text(k).into()),
            "computed_property_name" => {
                if let Some(inner) = k.named_child(0) {
                    if inner.kind() == "string" {
                        return PropKey::Name(self.string_value(inner));
                    }
                    self.expr(inner);
                }
                PropKey::Computed
            }
            _ => PropKey::Computed,
        }
    }

    // ---------------------------------------------------------------- functions and classes

    fn function(&mut self, node: Node) -> FuncId {
        let fid = self.ir.funcs.len() as FuncId;
        self.ir.funcs.push(Func {
            range: range(node),
            param_count: 0,
            returns: Vec::new(),
        });
        if self.depth > MAX_DEPTH {
            return fid;
        }
        self.depth += 1;
        let saved_scope = self.scope;
        let saved_func = self.func;
        self.scope = self.new_scope();
        self.func = Some(fid);
        let mut params: Vec<Node> = Vec::new();
        if let Some(p) = self.field(node, F::Parameters) {
            let mut cursor = p.walk();
            params.extend(
                p.named_children(&mut cursor)
                    .filter(|n| !is_type_node(n.kind())),
            );
        } else if let Some(p) = self.field(node, F::Parameter) {
            params.push(p);
        }
        self.ir.funcs[fid as usize].param_count = params.len() as u32;
        for (i, p) in params.into_iter().enumerate() {
            let pe = self.push(
                Expr::Param {
                    func: fid,
                    index: i as u32,
                },
                range(p),
            );
            let (pattern, default) = match p.kind() {
                "required_parameter" | "optional_parameter" => {
                    (self.field(p, F::Pattern), self.field(p, F::Value))
                }
                _ => (Some(p), None),
            };
            let Some(pattern) = pattern else { continue };
            let value = match default {
                Some(d) => {
                    let de = self.expr(d);
                    self.push(
                        Expr::Fallback {
                            left: pe,
                            right: de,
                        },
                        range(p),
                    )
                }
                None => pe,
            };
            self.bind_pattern(pattern, value, BindingKind::Param);
            // constructor parameter properties: `constructor(private key: string)`
            if let Some(class) = self.class {
                let mut c = p.walk();
                let is_prop = p
                    .children(&mut c)
                    .any(|ch| ch.kind() == "accessibility_modifier" || ch.kind() == "readonly");
                if is_prop && pattern.kind() == "identifier" {
                    let n: Name = self.node_text(pattern).into();
                    self.ir.classes[class as usize]
                        .fields
                        .entry(n)
                        .or_default()
                        .push(value);
                }
            }
        }
        if let Some(body) = self.field(node, F::Body) {
            if body.kind() == "statement_block" {
                self.stmts(body);
            } else {
                let e = self.expr(body);
                self.ir.funcs[fid as usize].returns.push(e);
            }
        }
        self.scope = saved_scope;
        self.func = saved_func;
        self.depth -= 1;
        fid
    }

    fn class(&mut self, node: Node) -> ClassId {
        let cid = self.ir.classes.len() as ClassId;
        self.ir.classes.push(Class {
            range: range(node),
            ..Default::default()
        });
        let Some(body) = self.field(node, F::Body) else {
            return cid;
        };
        let saved_class = self.class;
        self.class = Some(cid);
        let mut cursor = body.walk();
        for m in body.named_children(&mut cursor) {
            match m.kind() {
                "public_field_definition" | "field_definition" => {
                    let Some(n) = self
                        .field(m, F::Name)
                        .or_else(|| self.field(m, F::Property))
                    else {
                        continue;
                    };
                    let key: Name = self.node_text(n).into();
                    if let Some(v) = self.field(m, F::Value) {
                        let e = self.expr(v);
                        self.ir.classes[cid as usize]
                            .fields
                            .entry(key)
                            .or_default()
                            .push(e);
                    }
                }
                "method_definition" => {
                    let Some(n) = self.field(m, F::Name) else {
                        continue;
                    };
                    let key: Name = self.node_text(n).into();
                    let is_getter = {
                        let mut c = m.walk();
                        let g = m.children(&mut c).any(|ch| ch.kind() == "get");
                        g
                    };
                    let fid = self.function(m);
                    let class = &mut self.ir.classes[cid as usize];
                    if &*key == "constructor" {
                        class.constructor = Some(fid);
                    } else if is_getter {
                        class.getters.insert(key, fid);
                    } else {
                        class.methods.insert(key, fid);
                    }
                }
                _ => {}
            }
        }
        self.class = saved_class;
        cid
    }

    // ---------------------------------------------------------------- expressions

    fn expr(&mut self, node: Node) -> ExprId {
        if self.depth > MAX_DEPTH {
            return self.unknown(node);
        }
        self.depth += 1;
        let id = self.expr_inner(node);
        self.depth -= 1;
        id
    }

    fn expr_inner(&mut self, node: Node) -> ExprId {
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
                        self.ir.ranges[id as usize] = r;
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
                self.push(Expr::Object(entries), r)
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
    fn walk_unknown(&mut self, node: Node) -> ExprId {
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

    fn args(&mut self, args: Node) -> Vec<ExprId> {
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

    fn call(&mut self, node: Node) -> ExprId {
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

    fn assign(&mut self, left: Node, rhs: ExprId) {
        match left.kind() {
            "identifier" => {
                self.pending_assigns
                    .push((self.node_text(left).into(), self.scope, rhs));
            }
            "member_expression" => {
                let (Some(obj), Some(prop)) =
                    (self.field(left, F::Object), self.field(left, F::Property))
                else {
                    return;
                };
                let prop_name: Name = self.node_text(prop).into();
                let obj_text = self.node_text(obj);
                if obj.kind() == "this" {
                    if let Some(c) = self.class {
                        self.ir.classes[c as usize]
                            .fields
                            .entry(prop_name)
                            .or_default()
                            .push(rhs);
                    }
                } else if obj_text == "module" && &*prop_name == "exports" {
                    self.cjs_exports(rhs);
                } else if obj_text == "exports" || obj_text == "module.exports" {
                    self.ir.exports.insert(prop_name, ExportTarget::Expr(rhs));
                } else {
                    self.expr(obj);
                }
            }
            "object_pattern" | "array_pattern" => {
                // `({ a } = x)`: assignments to existing bindings
                let mut cursor = left.walk();
                for c in left.named_children(&mut cursor) {
                    if c.kind() == "shorthand_property_identifier_pattern" {
                        let m = self.member_of(rhs, self.node_text(c).into(), range(c));
                        self.pending_assigns
                            .push((self.node_text(c).into(), self.scope, m));
                    }
                }
            }
            _ => {
                self.expr(left);
            }
        }
    }

    fn cjs_exports(&mut self, rhs: ExprId) {
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

    fn string_value(&self, node: Node) -> Name {
        string_value(self.text, node)
    }

    fn note_literal(&mut self, value: &str, r: TextRange) {
        if value.len() < 20 {
            return;
        }
        if let Some(key) = classify_literal(value) {
            self.ir.key_literals.push(KeyLiteral { range: r, key });
        }
    }
}

/// A string literal's value: quotes stripped, escapes resolved.
fn string_value(text: &str, node: Node) -> Name {
    let raw = node_str(text, node);
    // error recovery can leave a string without its closing quote: strip only the quotes that are there
    let Some(quote) = raw.chars().next().filter(|c| matches!(c, '\'' | '"' | '`')) else {
        return raw.into();
    };
    let inner = &raw[1..];
    let inner = inner.strip_suffix(quote).unwrap_or(inner);
    if inner.contains('\\') {
        return unescape(inner).into();
    }
    inner.into()
}

fn is_statement_kind(kind: &str) -> bool {
    kind.ends_with("_statement")
        || kind.ends_with("_declaration")
        || matches!(
            kind,
            "statement_block"
                | "else_clause"
                | "catch_clause"
                | "finally_clause"
                | "switch_body"
                | "switch_case"
                | "switch_default"
        )
}

/// UPPER_SNAKE names (and anything with `KEY`): candidates for env reads.
fn looks_like_env_name(name: &str) -> bool {
    name.len() > 2
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some(o) => out.push(o),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;
    use crate::lang::Lang;
    use std::path::{Path, PathBuf};

    fn sources() -> Vec<(PathBuf, String)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut out = Vec::new();
        let mut stack = vec![
            root.join("server/engine/tests/fixtures"),
            root.join("examples"),
        ];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let p = entry.path();
                if p.is_dir() {
                    stack.push(p);
                } else if Lang::of(&p).is_some_and(|l| l.is_script()) {
                    out.push((p.clone(), std::fs::read_to_string(&p).unwrap()));
                }
            }
        }
        out.sort();
        assert!(out.len() > 40, "fixtures not found");
        out
    }

    /// A small deterministic generator (xorshift), so a failure replays.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    const SNIPPETS: &[&str] = &[
        "x",
        "\n",
        "}",
        "{",
        "'",
        "(",
        ";",
        "const supabase = createClient(url, process.env.SUPABASE_SERVICE_ROLE_KEY!)\n",
        "export { supabase as admin }\n",
        "supabase = createServerClient(a, b, { cookies })\n",
        "var supabase = null\n",
        "function f(k) { return createClient(u, k) }\n",
        "import { createClient } from '@supabase/supabase-js'\n",
        "module.exports = { supabase }\n",
        "class A { c = createClient(u, k); m() { this.d = 1 } }\n",
        "\"use client\"\n",
    ];

    /// Every field lowering reads exists in both grammars (a renamed field would silently read as absent).
    #[test]
    fn fields_exist_in_both_grammars() {
        for lang in [Lang::TypeScript, Lang::Tsx] {
            let ids = field_ids(&lang.ts_language().unwrap());
            for (name, id) in FIELD_NAMES.iter().zip(ids) {
                assert_ne!(id, 0, "no field `{name}` in {lang:?}");
            }
        }
    }

    #[test]
    fn composing_fragments_equals_one_walk() {
        for (path, text) in sources() {
            let lang = Lang::of(&path).unwrap();
            let tree = crate::document::parse(lang, &text, None).unwrap();
            assert_eq!(
                lower(&tree, &text),
                lower_whole(&tree, &text),
                "{}",
                path.display()
            );
        }
    }

    /// Edits through an incrementally re-parsed document, each version lowered reusing the previous
    /// version's fragments: always the same summary as one walk over the new tree.
    #[test]
    fn reusing_fragments_across_edits_equals_one_walk() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut reused = 0usize;
        for (path, text) in sources() {
            let lang = Lang::of(&path).unwrap();
            let mut doc = Document::new(lang, text.clone());
            let (_, mut frags) = lower_reusing(doc.tree().unwrap(), doc.text(), None);
            let mut prev_text = doc.text().to_string();
            for step in 0..60 {
                let len = doc.text().len();
                let start = rng.below(len + 1);
                let (start, end, insert) = match rng.below(4) {
                    0 => (start, (start + rng.below(40)).min(len), ""),
                    1 => {
                        // move a chunk: delete it here, insert it elsewhere
                        let end = (start + rng.below(120)).min(len);
                        let chunk = doc.text().get(start..end).unwrap_or("").to_string();
                        doc.edit(TextRange::from_usize(start, end), "");
                        let at = rng.below(doc.text().len() + 1);
                        (at, at, Box::leak(chunk.into_boxed_str()) as &str)
                    }
                    _ => (start, start, SNIPPETS[rng.below(SNIPPETS.len())]),
                };
                doc.edit(TextRange::from_usize(start, end), insert);
                let tree = doc.tree().unwrap();
                let (ir, next) = lower_reusing(tree, doc.text(), Some((&prev_text, &frags)));
                reused += next
                    .iter()
                    .filter(|(_, f)| frags.iter().any(|(_, g)| Arc::ptr_eq(f, g)))
                    .count();
                assert_eq!(
                    ir,
                    lower_whole(tree, doc.text()),
                    "{} after edit {step}:\n{}",
                    path.display(),
                    doc.text()
                );
                frags = next;
                prev_text = doc.text().to_string();
            }
        }
        assert!(reused > 1000, "fragments were hardly reused ({reused})");
    }
}
