//! NestJS dependency injection: a constructor parameter or field decorated `@Inject(TOKEN)` holds what a
//! provider `{ provide: TOKEN, useFactory | useValue | useClass | useExisting }` registers for that token,
//! wherever in the workspace the provider is written. A constructor parameter of a decorated class typed with
//! a class (`constructor(private readonly supabase: SupabaseService)`) is injected by that class as its token:
//! an instance of it unless a provider registers something else for it. Tokens match by value (a string, a class) or, when
//! the value is not known (`Symbol('…')`), by the declaration the name resolves to across imports.
//! A factory's own parameters (its `inject: […]` list) are not followed: they stay unknown.

use super::*;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Str(Rc<str>),
    Class(FileId, ClassId),
    Decl(FileId, BindingId),
}

/// How many `useExisting` aliases are followed.
const MAX_ALIASES: u32 = 4;
/// How many imports and re-exports a token's name is followed through.
const MAX_HOPS: u32 = 8;

impl<'w> Eval<'w> {
    /// What the workspace's providers register for the token written at `token` in `file`.
    pub(super) fn injected(&mut self, file: FileId, token: ExprId) -> Vals {
        match self.token(file, token) {
            Some(t) => self.provided(&t, 0),
            None => vec![Value::Unknown],
        }
    }

    fn provided(&mut self, token: &Token, aliases: u32) -> Vals {
        let providers = match &self.providers {
            Some(p) => p.clone(),
            None => {
                let p: Rc<[(FileId, ExprId)]> = self.snap.providers().into();
                self.providers = Some(p.clone());
                p
            }
        };
        let mut out = Vec::new();
        for &(file, obj) in providers.iter() {
            let Some(ir) = self.ir(file) else { continue };
            let Expr::Object(entries) = ir.expr(obj) else {
                continue;
            };
            let prop = |name: &str| {
                entries.iter().find_map(|e| match e {
                    ObjEntry::Prop {
                        key: PropKey::Name(n),
                        value,
                        ..
                    } if &**n == name => Some(*value),
                    _ => None,
                })
            };
            let Some(provide) = prop("provide") else {
                continue;
            };
            if self.token(file, provide).as_ref() != Some(token) {
                continue;
            }
            let vals = if let Some(v) = prop("useValue") {
                self.eval(file, v, &None)
            } else if let Some(f) = prop("useFactory") {
                self.factory_result(file, f)
            } else if let Some(c) = prop("useClass") {
                self.eval(file, c, &None)
                    .into_iter()
                    .map(|v| match v {
                        Value::Class { file, class } => Value::Instance { file, class },
                        _ => Value::Unknown,
                    })
                    .collect()
            } else if let Some(e) = prop("useExisting").filter(|_| aliases < MAX_ALIASES) {
                match self.token(file, e) {
                    Some(t) => self.provided(&t, aliases + 1),
                    None => vec![Value::Unknown],
                }
            } else {
                vec![Value::Unknown]
            };
            for v in vals {
                push_val(&mut out, v);
            }
        }
        if out.is_empty() {
            // a class listed as its own provider (`providers: [SupabaseService]`) is injected as an instance
            out.push(match token {
                Token::Class(file, class) => Value::Instance {
                    file: *file,
                    class: *class,
                },
                _ => Value::Unknown,
            });
        }
        out
    }

    /// What a `useFactory` function returns (its parameters unknown).
    fn factory_result(&mut self, file: FileId, f: ExprId) -> Vals {
        let mut out = Vec::new();
        for v in self.eval(file, f, &None) {
            let Value::Func { file: ff, func } = v else {
                push_val(&mut out, Value::Unknown);
                continue;
            };
            let Some(ir) = self.ir(ff) else { continue };
            for &r in &ir.funcs[func].returns {
                for x in self.eval(ff, r, &None) {
                    push_val(&mut out, x);
                }
            }
        }
        out
    }

    fn token(&mut self, file: FileId, e: ExprId) -> Option<Token> {
        match self.eval(file, e, &None).as_slice() {
            [Value::Str(s)] => return Some(Token::Str(s.clone())),
            [Value::Class { file, class }] => return Some(Token::Class(*file, *class)),
            _ => {}
        }
        let ir = self.ir(file)?;
        let Expr::Ident { name, scope } = ir.expr(e) else {
            return None;
        };
        let b = ir.lookup(*scope, name)?;
        self.declaration(file, b, 0).map(|(f, b)| Token::Decl(f, b))
    }

    /// The binding an imported name is declared by, through imports and re-exports.
    fn declaration(&self, file: FileId, b: BindingId, hops: u32) -> Option<(FileId, BindingId)> {
        let ir = self.ir(file)?;
        let BindingKind::Import(i) = ir.bindings[b].kind else {
            return Some((file, b));
        };
        let import = &ir.imports[i];
        let name = match &import.kind {
            ImportKind::Named(n) => &**n,
            ImportKind::Default => "default",
            ImportKind::Namespace => return None,
        };
        let target = self.file_of(file, &import.source)?;
        self.exported_declaration(target, name, hops + 1)
    }

    fn exported_declaration(
        &self,
        file: FileId,
        name: &str,
        hops: u32,
    ) -> Option<(FileId, BindingId)> {
        if hops > MAX_HOPS {
            return None;
        }
        let ir = self.ir(file)?;
        match ir.exports.get(name) {
            Some(ExportTarget::Binding(b)) => self.declaration(file, *b, hops),
            Some(ExportTarget::Reexport { source, name }) => {
                let target = self.file_of(file, source)?;
                self.exported_declaration(target, name, hops + 1)
            }
            Some(_) => None,
            None => ir.star_exports.iter().find_map(|source| {
                let target = self.file_of(file, source)?;
                self.exported_declaration(target, name, hops + 1)
            }),
        }
    }

    fn file_of(&self, from: FileId, spec: &str) -> Option<FileId> {
        match self.snap.resolve(from, spec) {
            Resolved::File(p) => self.snap.file_id(&p),
            Resolved::External => None,
        }
    }
}
