//! `GRANT` / `REVOKE` on tables and functions, `ALTER DEFAULT PRIVILEGES`.

use super::super::Privs;
use super::{GrantTarget, StmtKind, P};

impl P<'_> {
    /// `GRANT privs ON … TO roles` / `REVOKE [GRANT OPTION FOR] privs ON … FROM roles`.
    /// `GRANT`/`REVOKE` of table or function privileges. `None` with `irrelevant` set: a statement that
    /// changes nothing the model holds (role membership, schema `USAGE`, sequences, types, …).
    pub(super) fn grant(&mut self, irrelevant: &mut bool) -> Option<StmtKind> {
        let revoke = self.is_kw("revoke");
        self.i += 1;
        if revoke && self.eat_seq(&["grant", "option", "for"]) {
            // Only the grant option goes: the privileges stay.
            *irrelevant = true;
            return None;
        }
        let mut privs = Privs::NONE;
        let mut function_privs = false;
        loop {
            let (w, _) = self.ident()?;
            if w == "all" {
                let _ = self.eat("privileges");
                privs = Privs::ALL;
            } else if w == "execute" || w == "usage" {
                function_privs |= w == "execute";
            } else if let Some(p) = Privs::from_keyword(&w) {
                // A column privilege (`update (a, b)`) is not a table privilege.
                if self.is_punct('(') {
                    self.parens()?;
                } else {
                    privs = privs.union(p);
                }
            } else {
                // GRANT role TO role, or privileges not modelled (create, connect, temporary).
                *irrelevant = true;
                return None;
            }
            if !self.eat_punct(',') {
                break;
            }
        }
        if !self.eat("on") {
            return None;
        }
        let target = if self.eat_seq(&["all", "tables", "in", "schema"]) {
            GrantTarget::AllTablesIn(self.ident_list()?)
        } else if self.eat_seq(&["all", "functions", "in", "schema"])
            || self.eat_seq(&["all", "routines", "in", "schema"])
            || self.eat_seq(&["all", "procedures", "in", "schema"])
        {
            GrantTarget::AllFunctionsIn(self.ident_list()?)
        } else if self.eat("function") || self.eat("procedure") || self.eat("routine") {
            let mut v = vec![self.func_ref()?];
            while self.eat_punct(',') {
                v.push(self.func_ref()?);
            }
            GrantTarget::Functions(v)
        } else if self.eat("sequence")
            || self.eat("schema")
            || self.eat("database")
            || self.eat("type")
            || self.eat("domain")
            || self.eat_seq(&["all", "sequences", "in", "schema"])
            || self.eat("language")
            || self.eat_seq(&["foreign", "data", "wrapper"])
            || self.eat_seq(&["foreign", "server"])
            || self.eat_seq(&["large", "object"])
            || self.eat("tablespace")
        {
            *irrelevant = true;
            return None;
        } else {
            let _ = self.eat("table");
            GrantTarget::Tables(self.qname_list()?)
        };
        if function_privs && matches!(target, GrantTarget::Tables(_) | GrantTarget::AllTablesIn(_))
        {
            return None;
        }
        if function_privs {
            privs = Privs::ALL;
        } else if matches!(
            target,
            GrantTarget::Functions(_) | GrantTarget::AllFunctionsIn(_)
        ) && privs != Privs::ALL
        {
            return None;
        }
        if !(self.eat(if revoke { "from" } else { "to" })) {
            return None;
        }
        let roles = self.role_list()?;
        let _ = self.eat_seq(&["with", "grant", "option"]);
        let _ = self.eat("cascade") || self.eat("restrict");
        let _ = self.eat_seq(&["granted", "by"]) && self.role_name().is_some();
        if !self.done() {
            return None;
        }
        Some(StmtKind::Grant {
            revoke,
            privs,
            target,
            roles,
        })
    }

    pub(super) fn ident_list(&mut self) -> Option<Vec<String>> {
        let mut v = vec![self.ident()?.0];
        while self.eat_punct(',') {
            v.push(self.ident()?.0);
        }
        Some(v)
    }

    /// `None` with `irrelevant` set: defaults for objects the model does not hold (sequences, types, schemas).
    pub(super) fn default_privileges(&mut self, irrelevant: &mut bool) -> Option<StmtKind> {
        // [FOR ROLE r, …] [IN SCHEMA s, …] GRANT|REVOKE …
        if self.eat("for") {
            let _ = self.eat("role") || self.eat("user");
            self.role_list()?;
        }
        let mut schemas = Vec::new();
        if self.eat_seq(&["in", "schema"]) {
            schemas = self.ident_list()?;
        }
        let revoke = self.is_kw("revoke");
        if !(self.eat("grant") || self.eat("revoke")) {
            return None;
        }
        if revoke && self.eat_seq(&["grant", "option", "for"]) {
            *irrelevant = true;
            return None;
        }
        let mut privs = Privs::NONE;
        let mut execute = false;
        loop {
            let (w, _) = self.ident()?;
            if w == "all" {
                let _ = self.eat("privileges");
                privs = Privs::ALL;
                execute = true;
            } else if w == "execute" {
                execute = true;
            } else if let Some(p) = Privs::from_keyword(&w) {
                privs = privs.union(p);
            } else if w != "usage" && w != "create" {
                return None;
            }
            if !self.eat_punct(',') {
                break;
            }
        }
        if !self.eat("on") {
            return None;
        }
        let functions = if self.eat("tables") {
            false
        } else if self.eat("functions") || self.eat("routines") {
            true
        } else {
            // sequences, types, schemas
            *irrelevant = true;
            return None;
        };
        if functions && !execute {
            return None;
        }
        if !(self.eat(if revoke { "from" } else { "to" })) {
            return None;
        }
        let roles = self.role_list()?;
        // Without IN SCHEMA the defaults apply in every schema: `*`.
        if schemas.is_empty() {
            schemas.push("*".to_string());
        }
        Some(StmtKind::DefaultPrivileges {
            revoke,
            schemas,
            functions,
            privs: if functions { Privs::ALL } else { privs },
            roles,
        })
    }
}
