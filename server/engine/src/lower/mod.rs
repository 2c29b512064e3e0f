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

use crate::idx::IndexVec;
use crate::ir::*;
use crate::lang::Lang;

mod compose;
mod expr;
mod fields;
mod func;
mod literal;
mod pattern;
mod stmt;
#[cfg(test)]
mod tests;

use compose::*;
use fields::*;
use literal::*;

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
            scope: ScopeId::MODULE,
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
        self.ir.ranges.push(r);
        self.ir.exprs.push(expr)
    }

    fn unknown(&mut self, node: Node) -> ExprId {
        self.push(Expr::Unknown, range(node))
    }

    fn new_scope(&mut self) -> ScopeId {
        self.ir.scopes.push(Scope {
            parent: Some(self.scope),
            names: Default::default(),
        })
    }

    fn declare(
        &mut self,
        name: &str,
        kind: BindingKind,
        init: Option<ExprId>,
        decl: TextRange,
    ) -> BindingId {
        let scope = &mut self.ir.scopes[self.scope];
        if let Some(&existing) = scope.names.get(name) {
            // redeclaration (`var` twice, overloads): merge
            if let Some(i) = init {
                self.ir.bindings[existing].inits.push(i);
            }
            return existing;
        }
        let id = self.ir.bindings.push(Binding {
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
                self.ir.bindings[b].inits.push(rhs);
            }
        }
        for (exported, local) in std::mem::take(&mut self.pending_exports) {
            let target = match self.ir.lookup(ScopeId::MODULE, &local) {
                Some(b) => ExportTarget::Binding(b),
                None => continue,
            };
            self.ir.exports.insert(exported, target);
        }
        self.ir.import_insert_at = self.last_import_end.unwrap_or(u32::MAX);
    }

    // ---------------------------------------------------------------- statements

    // ---------------------------------------------------------------- patterns

    // ---------------------------------------------------------------- functions and classes

    // ---------------------------------------------------------------- expressions
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
