//! `CREATE POLICY`, `ALTER POLICY`.

use super::super::PolicyCommand;
use super::{QName, StmtKind, Text, P};

impl P<'_> {
    /// After `CREATE POLICY` fails to read: the table after `ON`, if any.
    pub(super) fn find_on_table(&mut self) -> Option<QName> {
        let k = self.toks.iter().position(|t| t.is_word(self.src, "on"))?;
        self.i = k + 1;
        self.qname()
    }

    pub(super) fn create_policy(&mut self) -> Option<StmtKind> {
        let t = self.peek()?;
        let (name, nr) = self.ident()?;
        let name = Text {
            text: name,
            range: self.file_range(nr.start.max(t.start)..nr.end),
        };
        if !self.eat("on") {
            return None;
        }
        let table = self.qname()?;
        let mut permissive = true;
        if self.eat("as") {
            let (m, _) = self.ident()?;
            permissive = match m.as_str() {
                "permissive" => true,
                "restrictive" => false,
                _ => return None,
            };
        }
        let mut command = PolicyCommand::All;
        if self.eat("for") {
            command = match self.ident()?.0.as_str() {
                "all" => PolicyCommand::All,
                "select" => PolicyCommand::Select,
                "insert" => PolicyCommand::Insert,
                "update" => PolicyCommand::Update,
                "delete" => PolicyCommand::Delete,
                _ => return None,
            };
        }
        let mut roles = vec!["public".to_string()];
        if self.eat("to") {
            roles = self.role_list()?;
        }
        let (using, with_check) = self.using_and_check()?;
        if !self.done() {
            return None;
        }
        Some(StmtKind::CreatePolicy {
            name,
            table,
            permissive,
            command,
            roles,
            using,
            with_check,
        })
    }

    /// `read`: the view's name, once read.
    /// A policy's `[USING (…)] [WITH CHECK (…)]`.
    pub(super) fn using_and_check(&mut self) -> Option<(Option<Text>, Option<Text>)> {
        let mut using = None;
        let mut with_check = None;
        if self.eat("using") {
            using = Some(self.paren_text()?);
        }
        if self.eat_seq(&["with", "check"]) {
            with_check = Some(self.paren_text()?);
        }
        Some((using, with_check))
    }

    pub(super) fn alter_policy(&mut self) -> Option<StmtKind> {
        let (name, _) = self.ident()?;
        if !self.eat("on") {
            return None;
        }
        let table = self.qname()?;
        let mut rename = None;
        let mut roles = None;
        let mut using = None;
        let mut with_check = None;
        if self.eat_seq(&["rename", "to"]) {
            rename = Some(self.ident()?.0);
        } else {
            if self.eat("to") {
                roles = Some(self.role_list()?);
            }
            (using, with_check) = self.using_and_check()?;
        }
        if !self.done() {
            return None;
        }
        Some(StmtKind::AlterPolicy {
            name,
            table,
            rename,
            roles,
            using,
            with_check,
        })
    }
}
