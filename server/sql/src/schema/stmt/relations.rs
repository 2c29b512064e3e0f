//! Tables and views: `CREATE TABLE`, `CREATE VIEW`, `ALTER TABLE` / `VIEW`, `DROP`; the dispatch of
//! `CREATE` and `ALTER`.

use std::ops::Range;

use super::parser::{bool_value, ident_value};
use super::{QName, RelKind, StmtKind, TableAction, Touches, P};

impl P<'_> {
    pub(super) fn create(&mut self) -> Option<StmtKind> {
        self.i += 1;
        let or_replace = self.eat_seq(&["or", "replace"]);
        // CREATE [GLOBAL|LOCAL] [TEMP|TEMPORARY|UNLOGGED] TABLE
        let _ = self.eat("global") || self.eat("local");
        let temp = self.eat("temp") || self.eat("temporary");
        let _ = self.eat("unlogged");
        let _ = self.eat("recursive");
        if self.is_kw("table") {
            self.i += 1;
            if temp {
                return None;
            }
            let if_not_exists = self.eat_seq(&["if", "not", "exists"]);
            let Some(name) = self.qname() else {
                return self.unreadable(self.named(true), "a CREATE TABLE");
            };
            return Some(StmtKind::CreateTable {
                name,
                if_not_exists,
            });
        }
        if self.is_kw("policy") {
            self.i += 1;
            return Some(match self.create_policy() {
                Some(k) => k,
                None => StmtKind::Unreadable {
                    touches: self.on_table_or_named(),
                    why: "a CREATE POLICY that could not be read".into(),
                },
            });
        }
        let materialized = self.eat("materialized");
        if self.eat("view") {
            if temp {
                return None;
            }
            let mut name = None;
            return self
                .create_view(or_replace, materialized, &mut name)
                .or_else(|| {
                    let touches = match name {
                        Some(q) => self.pinned(Touches::View(q)),
                        None => self.named(true),
                    };
                    self.unreadable(touches, "a CREATE VIEW")
                });
        }
        if materialized {
            return None;
        }
        if self.eat("function") || self.eat("procedure") {
            let mut func = None;
            return self.create_function(or_replace, &mut func).or_else(|| {
                let touches = match func {
                    Some(f) => self.pinned(Touches::Function(f)),
                    None => self.named(true),
                };
                self.unreadable(touches, "a CREATE FUNCTION")
            });
        }
        None
    }

    /// `read`: the view's name, once read.
    pub(super) fn create_view(
        &mut self,
        or_replace: bool,
        materialized: bool,
        read: &mut Option<QName>,
    ) -> Option<StmtKind> {
        let if_not_exists = self.eat_seq(&["if", "not", "exists"]);
        let name = self.qname()?;
        *read = Some(name.clone());
        // Column list.
        if self.is_punct('(') {
            self.parens()?;
        }
        let mut security_invoker = None;
        if self.eat("with") {
            let r = self.parens()?;
            security_invoker = self.security_invoker_option(r)?;
        }
        if !self.eat("as") {
            return None;
        }
        let reads = self.relations_read();
        Some(StmtKind::CreateView {
            name,
            or_replace,
            materialized,
            if_not_exists,
            security_invoker,
            reads,
        })
    }

    /// In an option list `(security_invoker = true, security_barrier)`: the security_invoker value.
    /// `Some(None)` when absent, `None` when it cannot be read.
    pub(super) fn security_invoker_option(&self, r: Range<usize>) -> Option<Option<bool>> {
        let toks = &self.toks[r];
        let mut out = None;
        for item in toks.split(|t| t.is_punct(self.src, ',')) {
            let Some(first) = item.first() else { continue };
            if ident_value(self.src, *first).is_none_or(|n| n != "security_invoker") {
                continue;
            }
            let value = match item.len() {
                1 => Some(true),
                3 if item[1].text(self.src) == "=" => bool_value(item[2].text(self.src)),
                _ => None,
            };
            out = Some(value?);
        }
        Some(out)
    }

    /// Relations after FROM / JOIN in the rest of the statement.
    pub(super) fn relations_read(&mut self) -> Vec<(Option<String>, String)> {
        let mut out = Vec::new();
        while !self.done() {
            if self.is_kw("from") || self.is_kw("join") {
                self.i += 1;
                loop {
                    let _ = self.eat("only") || self.eat("lateral");
                    if let Some(q) = self.qname() {
                        out.push((q.schema, q.name));
                    }
                    // `from a x, b y`
                    while !self.done()
                        && !self.is_punct(',')
                        && !self.is_kw("from")
                        && !self.is_kw("join")
                        && !self.is_kw("where")
                        && !self.is_punct('(')
                        && !self.is_punct(')')
                    {
                        self.i += 1;
                    }
                    if !self.eat_punct(',') {
                        break;
                    }
                }
            } else {
                self.i += 1;
            }
        }
        out
    }

    pub(super) fn alter(&mut self) -> Option<StmtKind> {
        self.i += 1;
        if self.eat("table") {
            return self.alter_rel(RelKind::Table);
        }
        if self.eat("view") {
            return self.alter_rel(RelKind::View);
        }
        if self.eat_seq(&["materialized", "view"]) {
            return self.alter_rel(RelKind::MaterializedView);
        }
        if self.eat("policy") {
            return Some(match self.alter_policy() {
                Some(k) => k,
                None => StmtKind::Unreadable {
                    touches: self.on_table_or_named(),
                    why: "an ALTER POLICY that could not be read".into(),
                },
            });
        }
        if self.eat("function") || self.eat("procedure") || self.eat("routine") {
            return self.alter_function();
        }
        if self.eat_seq(&["default", "privileges"]) {
            let mut irrelevant = false;
            return match self.default_privileges(&mut irrelevant) {
                Some(k) => Some(k),
                None if irrelevant => None,
                None => Some(StmtKind::Unreadable {
                    touches: Touches::Any,
                    why: "an ALTER DEFAULT PRIVILEGES that could not be read".into(),
                }),
            };
        }
        None
    }

    pub(super) fn alter_rel(&mut self, kind: RelKind) -> Option<StmtKind> {
        let if_exists = self.eat_seq(&["if", "exists"]);
        let _ = self.eat("only");
        let name = self.qname()?;
        let _ = self.is_punct('*') && self.eat_punct('*');
        let mut actions = Vec::new();
        let mut unreadable = false;
        // Actions are separated by commas at depth 0.
        while !self.done() {
            let start = self.i;
            if self.eat_seq(&["enable", "row", "level", "security"]) {
                actions.push(TableAction::EnableRls);
            } else if self.eat_seq(&["disable", "row", "level", "security"]) {
                actions.push(TableAction::DisableRls);
            } else if self.eat_seq(&["force", "row", "level", "security"]) {
                actions.push(TableAction::ForceRls);
            } else if self.eat_seq(&["no", "force", "row", "level", "security"]) {
                actions.push(TableAction::NoForceRls);
            } else if self.eat_seq(&["rename", "to"]) {
                match self.ident() {
                    Some((n, _)) => actions.push(TableAction::RenameTo(n)),
                    None => unreadable = true,
                }
            } else if self.eat_seq(&["set", "schema"]) {
                match self.ident() {
                    Some((n, _)) => actions.push(TableAction::SetSchema(n)),
                    None => unreadable = true,
                }
            } else if self.is_kw("set") && self.at(1).is_some_and(|t| t.is_punct(self.src, '(')) {
                self.i += 1;
                let r = self.parens()?;
                match self.security_invoker_option(r) {
                    Some(Some(v)) => actions.push(TableAction::SecurityInvoker(Some(v))),
                    Some(None) => {}
                    None => unreadable = true,
                }
            } else if self.is_kw("reset") && self.at(1).is_some_and(|t| t.is_punct(self.src, '(')) {
                self.i += 1;
                let r = self.parens()?;
                if self.toks[r]
                    .iter()
                    .any(|t| ident_value(self.src, *t).is_some_and(|n| n == "security_invoker"))
                {
                    actions.push(TableAction::SecurityInvoker(None));
                }
            }
            // Skip the rest of this action.
            let mut depth = 0usize;
            while let Some(t) = self.peek() {
                if depth == 0 && t.is_punct(self.src, ',') {
                    break;
                }
                if t.is_punct(self.src, '(') {
                    depth += 1;
                } else if t.is_punct(self.src, ')') {
                    depth = depth.saturating_sub(1);
                } else if t.is_word(self.src, "security")
                    && self.i > start
                    && self.toks[self.i - 1].is_word(self.src, "level")
                {
                    // `… row level security` in a form not read above.
                    unreadable = true;
                }
                self.i += 1;
            }
            self.eat_punct(',');
        }
        if unreadable {
            // A rename or a move PostgreSQL runs is read above: one in a statement that cannot be read
            // did not run, and the name it was to make may be missing later.
            let touches = if self.has_word("schema") {
                self.named(true)
            } else {
                self.pinned(Touches::Table(name))
            };
            return Some(StmtKind::Unreadable {
                touches,
                why: "an ALTER TABLE that could not be read".into(),
            });
        }
        if actions.is_empty() {
            return None;
        }
        Some(StmtKind::AlterTable {
            kind,
            name,
            if_exists,
            actions,
        })
    }

    pub(super) fn drop(&mut self) -> Option<StmtKind> {
        self.i += 1;
        let kind = if self.eat("table") {
            RelKind::Table
        } else if self.eat("view") {
            RelKind::View
        } else if self.eat_seq(&["materialized", "view"]) {
            RelKind::MaterializedView
        } else if self.eat("policy") {
            let if_exists = self.eat_seq(&["if", "exists"]);
            let (Some((name, _)), true) = (self.ident(), self.eat("on")) else {
                return self.unreadable(self.named(false), "a DROP POLICY");
            };
            let Some(table) = self.qname() else {
                return self.unreadable(self.named(false), "a DROP POLICY");
            };
            return Some(StmtKind::DropPolicy {
                name,
                table,
                if_exists,
            });
        } else if self.eat("function") || self.eat("procedure") || self.eat("routine") {
            let if_exists = self.eat_seq(&["if", "exists"]);
            let mut funcs = Vec::new();
            loop {
                let Some(f) = self.func_ref() else {
                    return self.unreadable(Touches::Any, "a DROP FUNCTION");
                };
                funcs.push(f);
                if !self.eat_punct(',') {
                    break;
                }
            }
            return Some(StmtKind::DropFunction { funcs, if_exists });
        } else {
            return None;
        };
        let if_exists = self.eat_seq(&["if", "exists"]);
        let Some(names) = self.qname_list() else {
            return self.unreadable(Touches::Any, "a DROP TABLE");
        };
        let cascade = self.eat("cascade");
        Some(StmtKind::Drop {
            kind,
            names,
            if_exists,
            cascade,
        })
    }
}
