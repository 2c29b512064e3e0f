//! Functions (parameters become `Param` expressions, returned expressions are kept) and classes (fields,
//! `this.x = …`, getters, methods).

use super::*;

impl Lowerer<'_> {
    pub(super) fn function(&mut self, node: Node) -> FuncId {
        let fid = self.ir.funcs.push(Func {
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
        self.ir.funcs[fid].param_count = params.len() as u32;
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
            let token = match self.inject_token(p) {
                Some(token) => Some(token),
                None => self.injected_type(node, p),
            };
            let value = match token {
                Some(token) => {
                    self.ir.injects = true;
                    self.push(Expr::Injected { token, arg: value }, range(p))
                }
                None => value,
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
                    self.ir.classes[class]
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
                self.ir.funcs[fid].returns.push(e);
            }
        }
        self.scope = saved_scope;
        self.func = saved_func;
        self.depth -= 1;
        fid
    }

    pub(super) fn class(&mut self, node: Node) -> ClassId {
        let cid = self.ir.classes.push(Class {
            range: range(node),
            ..Default::default()
        });
        // `@Module({ providers: [...] })`: the arguments may register providers
        self.decorators(node);
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
                    let value = match self.field(m, F::Value) {
                        Some(v) => Some(self.expr(v)),
                        // `@Inject(token) private readonly client: SupabaseClient`
                        None => self.inject_token(m).map(|token| {
                            self.ir.injects = true;
                            let arg = self.push(Expr::Unknown, range(m));
                            self.push(Expr::Injected { token, arg }, range(m))
                        }),
                    };
                    if let Some(e) = value {
                        self.ir.classes[cid].fields.entry(key).or_default().push(e);
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
                    let class = &mut self.ir.classes[cid];
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

    /// The token of an `@Inject(token)` decorator on `node` (a parameter or a field).
    fn inject_token(&mut self, node: Node) -> Option<ExprId> {
        let mut cursor = node.walk();
        let decorators: Vec<Node> = node
            .children(&mut cursor)
            .filter(|c| c.kind() == "decorator")
            .collect();
        for d in decorators {
            let Some(call) = d.named_child(0).filter(|c| c.kind() == "call_expression") else {
                continue;
            };
            let callee = self.field(call, F::Function);
            if !callee.is_some_and(|c| c.kind() == "identifier" && self.node_text(c) == "Inject") {
                continue;
            }
            let token = self
                .field(call, F::Arguments)
                .and_then(|a| a.named_child(0))?;
            return Some(self.expr(token));
        }
        None
    }

    /// The class a constructor parameter of a decorated class is typed with (`svc: SupabaseService`): the
    /// token NestJS (and Angular) inject by when there is no `@Inject`.
    fn injected_type(&mut self, func: Node, param: Node) -> Option<ExprId> {
        if func.kind() != "method_definition"
            || self.field(func, F::Name).map(|n| self.node_text(n)) != Some("constructor")
        {
            return None;
        }
        let has_decorator = |n: Node| {
            let mut c = n.walk();
            let found = n.children(&mut c).any(|ch| ch.kind() == "decorator");
            found
        };
        let class = func.parent()?.parent()?;
        let decorated = has_decorator(class)
            || class
                .parent()
                .is_some_and(|e| e.kind() == "export_statement" && has_decorator(e));
        if !decorated {
            return None;
        }
        let mut c = param.walk();
        let annotation = param
            .children(&mut c)
            .find(|ch| ch.kind() == "type_annotation")?;
        let ty = annotation
            .named_child(0)
            .filter(|t| t.kind() == "type_identifier")?;
        let name: Name = self.node_text(ty).into();
        Some(self.push(
            Expr::Ident {
                name,
                scope: self.scope,
            },
            range(ty),
        ))
    }

    /// Lowers the decorators written on `node` (a class, or the `export` statement before one) as
    /// expressions, so the objects they are given are seen.
    pub(super) fn decorators(&mut self, node: Node) {
        let mut cursor = node.walk();
        let decorators: Vec<Node> = node
            .children(&mut cursor)
            .filter(|c| c.kind() == "decorator")
            .collect();
        for d in decorators {
            if let Some(e) = d.named_child(0) {
                self.expr(e);
            }
        }
    }
}
