//! Random migration sequences that PostgreSQL accepts: the generator tracks what exists, so every statement
//! is valid where it stands. Deterministic per seed.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

#[derive(Clone)]
struct Name {
    /// The name as PostgreSQL stores it.
    value: String,
    /// Written quoted (mixed case).
    quoted: bool,
}

impl Name {
    fn sql(&self, rng: &mut Rng) -> String {
        if self.quoted {
            format!("\"{}\"", self.value)
        } else if rng.chance(20) {
            self.value.to_uppercase()
        } else {
            self.value.clone()
        }
    }
}

struct GTable {
    schema: String,
    name: Name,
    policies: Vec<Name>,
}

struct GView {
    schema: String,
    name: Name,
    materialized: bool,
    /// Index into tables at creation (the generator drops views before their table, or cascades).
    reads: (String, String),
}

struct GFunc {
    schema: String,
    name: String,
    /// As written in CREATE FUNCTION, and the identity list for references.
    decl: &'static str,
    ident: &'static str,
}

struct Gen {
    rng: Rng,
    n: usize,
    tables: Vec<GTable>,
    views: Vec<GView>,
    funcs: Vec<GFunc>,
    out: Vec<String>,
}

const SCHEMAS: &[&str] = &["public", "public", "app"];
const COMMANDS: &[&str] = &["all", "select", "insert", "update", "delete"];
const USING: &[&str] = &[
    "true",
    "false",
    "(select auth.uid()) = owner",
    "auth.uid() = owner",
    "owner is not null and (select auth.role()) = 'authenticated'",
    "(auth.jwt() -> 'user_metadata' ->> 'role') = 'admin'",
    "((true))",
];
const PRIVS: &[&str] = &[
    "select",
    "insert",
    "update",
    "delete",
    "truncate",
    "references",
    "trigger",
];
const GRANTEES: &[&str] = &["anon", "authenticated", "public", "service_role"];
const FUNC_ARGS: &[(&str, &str)] = &[
    ("", ""),
    ("uid uuid", "uuid"),
    ("a integer, b text", "integer, text"),
    ("x int default 0", "integer"),
    ("double precision", "double precision"),
];

impl Gen {
    fn fresh(&mut self, prefix: &str) -> Name {
        self.n += 1;
        let quoted = self.rng.chance(15);
        Name {
            value: if quoted {
                format!("{}_{}X", prefix.to_uppercase(), self.n)
            } else {
                format!("{prefix}_{}", self.n)
            },
            quoted,
        }
    }

    fn qualified(&mut self, schema: &str, name: &Name) -> String {
        let n = name.sql(&mut self.rng);
        if schema == "public" && self.rng.chance(40) {
            n
        } else {
            format!("{schema}.{n}")
        }
    }

    fn roles(&mut self) -> String {
        let mut v: Vec<&str> = Vec::new();
        for r in ["anon", "authenticated", "public", "service_role"] {
            if self.rng.chance(35) {
                v.push(r);
            }
        }
        if v.is_empty() {
            v.push("authenticated");
        }
        v.join(", ")
    }

    fn privs(&mut self) -> String {
        if self.rng.chance(25) {
            return "all".into();
        }
        let mut v: Vec<&str> = PRIVS
            .iter()
            .copied()
            .filter(|_| self.rng.chance(30))
            .collect();
        if v.is_empty() {
            v.push("select");
        }
        v.join(", ")
    }

    fn step(&mut self) {
        let r = self.rng.below(100);
        let nt = self.tables.len();
        match r {
            _ if nt == 0 || r < 14 => {
                let schema = self.rng.pick(SCHEMAS).to_string();
                let name = self.fresh("t");
                let q = self.qualified(&schema, &name);
                let ine = if self.rng.chance(10) {
                    "if not exists "
                } else {
                    ""
                };
                self.out.push(format!(
                    "create table {ine}{q} (id bigint primary key, owner uuid, body text);"
                ));
                self.tables.push(GTable {
                    schema,
                    name,
                    policies: Vec::new(),
                });
            }
            14..=22 => {
                let i = self.rng.below(nt);
                let what = self.rng.pick(&[
                    "enable row level security",
                    "enable row level security",
                    "disable row level security",
                    "force row level security",
                    "no force row level security",
                ]);
                let t = &self.tables[i];
                let (s, n) = (t.schema.clone(), t.name.clone());
                let q = self.qualified(&s, &n);
                let only = if self.rng.chance(10) { "only " } else { "" };
                let extra = if self.rng.chance(15) {
                    ", enable row level security"
                } else {
                    ""
                };
                self.out
                    .push(format!("alter table {only}{q} {what}{extra};"));
            }
            23..=26 => {
                // rename or move
                let i = self.rng.below(nt);
                let (s, n) = (self.tables[i].schema.clone(), self.tables[i].name.clone());
                let q = self.qualified(&s, &n);
                if self.rng.chance(60) {
                    let new = self.fresh("r");
                    self.out.push(format!(
                        "alter table {q} rename to {};",
                        new.sql(&mut self.rng)
                    ));
                    for v in &mut self.views {
                        if v.reads == (s.clone(), n.value.clone()) {
                            v.reads.1 = new.value.clone();
                        }
                    }
                    self.tables[i].name = new;
                } else {
                    let to = if s == "public" { "app" } else { "public" };
                    self.out.push(format!("alter table {q} set schema {to};"));
                    for v in &mut self.views {
                        if v.reads == (s.clone(), n.value.clone()) {
                            v.reads.0 = to.to_string();
                        }
                    }
                    self.tables[i].schema = to.into();
                }
            }
            27..=29 => {
                let i = self.rng.below(nt);
                let t = self.tables.remove(i);
                let key = (t.schema.clone(), t.name.value.clone());
                let has_views = self.views.iter().any(|v| v.reads == key);
                let q = self.qualified(&t.schema, &t.name);
                if has_views {
                    self.out.push(format!("drop table {q} cascade;"));
                    self.views.retain(|v| v.reads != key);
                } else {
                    let extra = if self.rng.chance(30) {
                        ", public.no_such_table"
                    } else {
                        ""
                    };
                    let ie = if extra.is_empty() && !self.rng.chance(30) {
                        ""
                    } else {
                        "if exists "
                    };
                    self.out.push(format!("drop table {ie}{q}{extra};"));
                }
            }
            30..=49 => {
                let i = self.rng.below(nt);
                let cmd = *self.rng.pick(COMMANDS);
                let name = self.fresh("p");
                let (s, n) = (self.tables[i].schema.clone(), self.tables[i].name.clone());
                let mut sql = format!(
                    "create policy {} on {}",
                    name.sql(&mut self.rng),
                    self.qualified(&s, &n)
                );
                if self.rng.chance(30) {
                    sql.push_str(if self.rng.chance(50) {
                        " as restrictive"
                    } else {
                        " as permissive"
                    });
                }
                if cmd != "all" || self.rng.chance(30) {
                    sql.push_str(&format!(" for {cmd}"));
                }
                if self.rng.chance(75) {
                    let roles = self.roles();
                    sql.push_str(&format!(" to {roles}"));
                }
                let mut any = false;
                if cmd != "insert" && self.rng.chance(85) {
                    sql.push_str(&format!(" using ({})", self.rng.pick(USING)));
                    any = true;
                }
                if matches!(cmd, "insert" | "update" | "all") && (self.rng.chance(60) || !any) {
                    sql.push_str(&format!(" with check ({})", self.rng.pick(USING)));
                }
                sql.push(';');
                if self.rng.chance(10) {
                    sql = format!(
                        "do $$ begin\n  if not exists (select 1 from pg_policies where policyname = '{}') then\n    {sql}\n  end if;\nend $$;",
                        name.value
                    );
                }
                self.out.push(sql);
                self.tables[i].policies.push(name);
            }
            50..=57 => {
                let i = self.rng.below(nt);
                if self.tables[i].policies.is_empty() {
                    return;
                }
                let k = self.rng.below(self.tables[i].policies.len());
                let (s, n) = (self.tables[i].schema.clone(), self.tables[i].name.clone());
                let pname = self.tables[i].policies[k].clone();
                let q = self.qualified(&s, &n);
                let pn = pname.sql(&mut self.rng);
                match self.rng.below(4) {
                    0 => {
                        self.out.push(format!("drop policy {pn} on {q};"));
                        self.tables[i].policies.remove(k);
                    }
                    1 => {
                        let new = self.fresh("p");
                        self.out.push(format!(
                            "alter policy {pn} on {q} rename to {};",
                            new.sql(&mut self.rng)
                        ));
                        self.tables[i].policies[k] = new;
                    }
                    2 => {
                        let roles = self.roles();
                        self.out
                            .push(format!("alter policy {pn} on {q} to {roles};"));
                    }
                    _ => {
                        // USING is allowed unless the policy is FOR INSERT; we do not track the command, so
                        // use a DO block that tolerates the error-free cases only: alter the roles instead
                        // when unsure.
                        self.out.push(format!("drop policy if exists {pn} on {q};"));
                        self.tables[i].policies.remove(k);
                        if self.rng.chance(50) {
                            self.out
                                .push(format!("drop policy if exists nope_{} on {q};", self.n));
                        }
                    }
                }
            }
            58..=69 => {
                let revoke = self.rng.chance(50);
                let privs = self.privs();
                let mut grantees: Vec<&str> = GRANTEES
                    .iter()
                    .copied()
                    .filter(|_| self.rng.chance(40))
                    .collect();
                if grantees.is_empty() {
                    grantees.push("anon");
                }
                let target = if self.rng.chance(15) {
                    format!("all tables in schema {}", self.rng.pick(&["public", "app"]))
                } else {
                    let mut names = Vec::new();
                    for _ in 0..1 + self.rng.below(2) {
                        let i = self.rng.below(nt);
                        let (s, n) = (self.tables[i].schema.clone(), self.tables[i].name.clone());
                        names.push(self.qualified(&s, &n));
                    }
                    names.dedup();
                    let table = if self.rng.chance(30) { "table " } else { "" };
                    format!("{table}{}", names.join(", "))
                };
                let (verb, prep) = if revoke {
                    ("revoke", "from")
                } else {
                    ("grant", "to")
                };
                self.out.push(format!(
                    "{verb} {privs} on {target} {prep} {};",
                    grantees.join(", ")
                ));
                if self.rng.chance(10) {
                    let i = self.rng.below(nt);
                    let (s, n) = (self.tables[i].schema.clone(), self.tables[i].name.clone());
                    let q = self.qualified(&s, &n);
                    self.out
                        .push(format!("grant update (body) on {q} to anon;"));
                }
            }
            70..=72 => {
                let verb = if self.rng.chance(60) {
                    "revoke"
                } else {
                    "grant"
                };
                let prep = if verb == "revoke" { "from" } else { "to" };
                let privs = self.privs();
                let role = self.rng.pick(&["anon", "authenticated"]);
                self.out.push(format!(
                    "alter default privileges in schema public {verb} {privs} on tables {prep} {role};"
                ));
            }
            73..=80 => {
                // views
                if !self.views.is_empty() && self.rng.chance(40) {
                    let i = self.rng.below(self.views.len());
                    let (s, n, mat) = (
                        self.views[i].schema.clone(),
                        self.views[i].name.clone(),
                        self.views[i].materialized,
                    );
                    let q = self.qualified(&s, &n);
                    if mat {
                        self.out.push(format!("drop materialized view {q};"));
                        self.views.remove(i);
                        return;
                    }
                    match self.rng.below(4) {
                        0 => {
                            self.out.push(format!("drop view {q};"));
                            self.views.remove(i);
                        }
                        1 => {
                            let v = self.rng.pick(&["true", "false", "on", "off"]);
                            self.out
                                .push(format!("alter view {q} set (security_invoker = {v});"));
                        }
                        2 => self
                            .out
                            .push(format!("alter view {q} reset (security_invoker);")),
                        _ => {
                            let (ts, tn) = self.views[i].reads.clone();
                            let with = if self.rng.chance(50) {
                                " with (security_invoker = true)"
                            } else {
                                ""
                            };
                            self.out.push(format!(
                                "create or replace view {q}{with} as select id, owner from {ts}.\"{tn}\";"
                            ));
                        }
                    }
                    return;
                }
                let i = self.rng.below(nt);
                let (ts, tn) = (
                    self.tables[i].schema.clone(),
                    self.tables[i].name.value.clone(),
                );
                let schema = self.rng.pick(SCHEMAS).to_string();
                let name = self.fresh("v");
                let q = self.qualified(&schema, &name);
                let materialized = self.rng.chance(15);
                let with = if !materialized && self.rng.chance(50) {
                    *self.rng.pick(&[
                        " with (security_invoker = true)",
                        " with (security_invoker)",
                        " with (security_invoker = false)",
                        " with (security_barrier = true, security_invoker = on)",
                    ])
                } else {
                    ""
                };
                let kw = if materialized {
                    "materialized view"
                } else {
                    "view"
                };
                self.out.push(format!(
                    "create {kw} {q}{with} as select id, owner from {ts}.\"{tn}\" where true;"
                ));
                self.views.push(GView {
                    schema,
                    name,
                    materialized,
                    reads: (ts, tn),
                });
            }
            81..=99 => self.function_step(),
            _ => {}
        }
    }

    fn function_step(&mut self) {
        let r = self.rng.below(10);
        if self.funcs.is_empty() || r < 3 {
            let schema = self.rng.pick(&["public", "public", "app"]).to_string();
            self.n += 1;
            let name = format!("f_{}", self.n);
            let (decl, ident) = *self.rng.pick(FUNC_ARGS);
            let definer = if self.rng.chance(50) {
                " security definer"
            } else if self.rng.chance(30) {
                " security invoker"
            } else {
                ""
            };
            let sp = *self.rng.pick(&[
                "",
                "",
                " set search_path = ''",
                " set search_path to public, extensions",
                " set search_path = pg_catalog",
            ]);
            let lang = if self.rng.chance(50) {
                "language sql as $$ select 1 $$"
            } else {
                "language plpgsql as $fn$ begin return 1; end; $fn$"
            };
            self.out.push(format!(
                "create function {schema}.{name}({decl}) returns int{definer}{sp} {lang};"
            ));
            self.funcs.push(GFunc {
                schema,
                name,
                decl,
                ident,
            });
            return;
        }
        let i = self.rng.below(self.funcs.len());
        let f = &self.funcs[i];
        let sig = if f.ident.is_empty() && self.rng.chance(50) {
            format!("{}.{}", f.schema, f.name)
        } else {
            format!("{}.{}({})", f.schema, f.name, f.ident)
        };
        let decl = f.decl;
        let stmt = match r {
            3 => format!(
                "alter function {sig} {};",
                self.rng.pick(&["security definer", "security invoker"])
            ),
            4 => format!(
                "alter function {sig} {};",
                self.rng.pick(&[
                    "set search_path = ''",
                    "reset search_path",
                    "reset all",
                    "set search_path to public"
                ])
            ),
            5 | 6 => format!(
                "revoke execute on function {sig} from {};",
                self.rng.pick(&[
                    "public",
                    "anon",
                    "authenticated",
                    "public, anon",
                    "anon, authenticated"
                ])
            ),
            7 => format!(
                "grant execute on function {sig} to {};",
                self.rng.pick(&["anon", "authenticated", "public"])
            ),
            8 => {
                let (schema, name) = (f.schema.clone(), f.name.clone());
                let definer = if self.rng.chance(50) {
                    " security definer"
                } else {
                    ""
                };
                format!("create or replace function {schema}.{name}({decl}) returns int language sql{definer} as $$ select 2 $$;")
            }
            _ => {
                if self.rng.chance(30) {
                    let s = self.rng.pick(&["public", "app"]);
                    let verb = self.rng.pick(&["revoke", "grant"]);
                    let prep = if *verb == "revoke" { "from" } else { "to" };
                    let who = self.rng.pick(&["anon", "public"]);
                    if self.rng.chance(50) {
                        format!("{verb} execute on all functions in schema {s} {prep} {who};")
                    } else if *who == "public" {
                        format!(
                            "alter default privileges {verb} execute on functions {prep} public;"
                        )
                    } else {
                        format!("alter default privileges in schema public {verb} execute on functions {prep} {who};")
                    }
                } else {
                    self.funcs.remove(i);
                    format!("drop function {sig};")
                }
            }
        };
        self.out.push(stmt);
    }
}

/// One generated migration sequence: 1-3 files of statements, PostgreSQL-valid in order.
pub fn sequence(seed: u64) -> Vec<(String, String)> {
    let mut g = Gen {
        rng: Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1),
        n: 0,
        tables: Vec::new(),
        views: Vec::new(),
        funcs: Vec::new(),
        out: vec!["create schema app;".into()],
    };
    let len = 8 + g.rng.below(25);
    for _ in 0..len {
        g.step();
    }
    let files = 1 + g.rng.below(3);
    let per = g.out.len().div_ceil(files);
    g.out
        .chunks(per)
        .enumerate()
        .map(|(k, c)| {
            (
                format!("supabase/migrations/{:04}_{k}.sql", k + 1),
                c.join("\n"),
            )
        })
        .collect()
}
