//! The per-file summary: a small, tree-free IR of what the analysis needs from one TS/JS file.
//!
//! Lowering (`lower.rs`) walks the tree-sitter tree once and keeps imports, exports, bindings with their
//! initialisers and assignments, functions with their parameters and returned expressions, classes with
//! their fields, and every call. Expressions are an arena indexed by [`ExprId`]; identifiers stay unresolved
//! (`name` + the scope they appear in) and are resolved lazily, which handles hoisting for free. The syntax
//! tree is dropped afterwards: cross-file evaluation (`eval.rs`) only ever reads summaries.

use std::collections::HashMap;

use rlscope_core::keys::LiteralKey;
use rlscope_core::TextRange;

use crate::idx::{define_index, IndexVec};

/// A name or string in the summary: shared, so copying a summary (reusing a statement's fragment) does
/// not copy text.
pub type Name = std::sync::Arc<str>;

define_index! {
    /// An expression in [`FileIr::exprs`] (and its range in [`FileIr::ranges`]).
    pub struct ExprId;
}
define_index! {
    /// A lexical scope in [`FileIr::scopes`].
    pub struct ScopeId;
}
define_index! {
    /// A declared name in [`FileIr::bindings`].
    pub struct BindingId;
}
define_index! {
    /// A function, method or arrow in [`FileIr::funcs`].
    pub struct FuncId;
}
define_index! {
    /// A class in [`FileIr::classes`].
    pub struct ClassId;
}
define_index! {
    /// An import in [`FileIr::imports`].
    pub struct ImportId;
}

impl ScopeId {
    /// The module scope: the first scope of every file.
    pub const MODULE: ScopeId = ScopeId(0);
}

#[derive(Clone, Debug, PartialEq)]
pub enum PropKey {
    Name(Name),
    /// A computed key we cannot name.
    Computed,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ObjEntry {
    Prop {
        key: PropKey,
        value: ExprId,
        key_range: TextRange,
    },
    Spread(ExprId),
}

#[derive(Clone, Debug, PartialEq)]
pub enum TemplatePart {
    Str(Name),
    Expr(ExprId),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Unknown,
    Str(Name),
    Template(Vec<TemplatePart>),
    Ident {
        name: Name,
        scope: ScopeId,
    },
    Member {
        obj: ExprId,
        prop: Name,
        prop_range: TextRange,
    },
    /// `obj[index]` with a non-literal index.
    Index {
        obj: ExprId,
        index: ExprId,
    },
    Call {
        callee: ExprId,
        args: Vec<ExprId>,
    },
    New {
        callee: ExprId,
        args: Vec<ExprId>,
    },
    Object(Vec<ObjEntry>),
    Array(Vec<ExprId>),
    Func(FuncId),
    Class(ClassId),
    /// `test ? then : other`: decided when the test's value is known.
    Cond {
        test: ExprId,
        then: ExprId,
        other: ExprId,
    },
    /// `left ?? right` / `left || right`: the right side only when the left is missing.
    Fallback {
        left: ExprId,
        right: ExprId,
    },
    Bool(bool),
    /// `undefined` and `null`.
    Undefined,
    /// `this` inside a class body.
    This(Option<ClassId>),
    ImportMeta,
    /// The `index`-th argument of a call to `func` (a parameter's value).
    Param {
        func: FuncId,
        index: u32,
    },
    /// `require('x')`, `import('x')`: the module itself.
    Require(Name),
    /// A constructor parameter or field decorated `@Inject(token)` (NestJS): what a call passes for it
    /// (`arg`), else what the workspace's provider for `token` gives.
    Injected {
        token: ExprId,
        arg: ExprId,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BindingKind {
    Var,
    Param,
    Func(FuncId),
    Class(ClassId),
    Import(ImportId),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    pub name: Name,
    pub kind: BindingKind,
    /// The declaration's initialiser and every later assignment, as alternatives (flow-insensitive).
    pub inits: Vec<ExprId>,
    /// The declared name's range (the first declaration's, when a name is declared twice).
    pub decl: TextRange,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scope {
    pub parent: Option<ScopeId>,
    pub names: HashMap<Name, BindingId>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Func {
    pub range: TextRange,
    pub param_count: u32,
    /// Returned expressions (an arrow's expression body counts).
    pub returns: Vec<ExprId>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Class {
    pub range: TextRange,
    /// Field initialisers and `this.x = …` assignments by property name.
    pub fields: HashMap<Name, Vec<ExprId>>,
    pub methods: HashMap<Name, FuncId>,
    pub getters: HashMap<Name, FuncId>,
    pub constructor: Option<FuncId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportKind {
    Named(Name),
    Default,
    Namespace,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    pub source: Name,
    pub kind: ImportKind,
    pub range: TextRange,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExportTarget {
    Expr(ExprId),
    Binding(BindingId),
    /// `export { name as x } from 'source'`
    Reexport {
        source: Name,
        name: Name,
    },
    /// `export * as x from 'source'`
    ReexportNamespace {
        source: Name,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct KeyLiteral {
    pub range: TextRange,
    pub key: LiteralKey,
}

/// A call site: `callee(args)` with the callee's member chain kept for quick matching.
#[derive(Clone, Debug, PartialEq)]
pub struct CallSite {
    pub expr: ExprId,
    /// For `a.b.c(…)`, the member `a.b.c` (the callee) — `Some((obj, "c"))`.
    pub method: Option<(ExprId, Name)>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileIr {
    pub exprs: IndexVec<ExprId, Expr>,
    /// Each expression's source range, pushed in step with `exprs`.
    pub ranges: IndexVec<ExprId, TextRange>,
    pub scopes: IndexVec<ScopeId, Scope>,
    pub bindings: IndexVec<BindingId, Binding>,
    pub funcs: IndexVec<FuncId, Func>,
    pub classes: IndexVec<ClassId, Class>,
    pub imports: IndexVec<ImportId, Import>,
    pub exports: HashMap<Name, ExportTarget>,
    pub star_exports: Vec<Name>,
    pub calls: Vec<CallSite>,
    /// Member/index/call expressions that may read an environment variable (for the browser rule).
    pub env_reads: Vec<ExprId>,
    pub key_literals: Vec<KeyLiteral>,
    /// Object literals that register a NestJS provider: `{ provide: token, useFactory | useValue | useClass
    /// | useExisting: … }`.
    pub providers: Vec<ExprId>,
    /// Whether any expression is [`Expr::Injected`]: the file depends on every file with providers.
    pub injects: bool,
    /// Module specifiers this file imports (static, re-export, require, dynamic import).
    pub specifiers: Vec<Name>,
    pub use_client: bool,
    pub imports_server_only: bool,
    /// Uses `Deno.` or URL/npm:/jsr: imports: env reads are `Deno.env.get`.
    pub is_deno: bool,
    /// Where a new import line can go (after the last import), and whether the file uses semicolons.
    pub import_insert_at: u32,
    pub has_syntax_errors: bool,
    /// Ranges of the top-level statements (fixes insert new declarations after one).
    pub top_level: Vec<TextRange>,
}

impl FileIr {
    pub fn expr(&self, id: ExprId) -> &Expr {
        &self.exprs[id]
    }

    pub fn range(&self, id: ExprId) -> TextRange {
        self.ranges[id]
    }

    pub fn lookup(&self, mut scope: ScopeId, name: &str) -> Option<BindingId> {
        loop {
            let s = &self.scopes[scope];
            if let Some(&b) = s.names.get(name) {
                return Some(b);
            }
            scope = s.parent?;
        }
    }
}
