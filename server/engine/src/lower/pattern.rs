//! Binding patterns (destructuring, defaults) and assignments to names and members.

use super::*;

impl Lowerer<'_> {
    pub(super) fn bind_pattern(
        &mut self,
        pat: Node,
        value: ExprId,
        kind: BindingKind,
    ) -> Vec<BindingId> {
        self.bind_pattern_opt(pat, Some(value), kind)
    }

    pub(super) fn bind_pattern_opt(
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

    pub(super) fn member_of(&mut self, obj: ExprId, prop: Name, r: TextRange) -> ExprId {
        self.push(
            Expr::Member {
                obj,
                prop,
                prop_range: r,
            },
            r,
        )
    }

    pub(super) fn prop_key(&mut self, k: Node) -> PropKey {
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

    pub(super) fn assign(&mut self, left: Node, rhs: ExprId) {
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
                        self.ir.classes[c]
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
}
