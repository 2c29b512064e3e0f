//! Bindings, imports and exports across files (SvelteKit `$env` modules, configured factories, Supabase
//! packages), and env reads.

use super::*;

impl<'w> Eval<'w> {
    pub fn eval_binding(&mut self, file: FileId, b: BindingId, ctx: &CallCtx) -> Vals {
        let Some(ir) = self.ir(file) else {
            return vec![Value::Unknown];
        };
        let binding = &ir.bindings[b];
        if let BindingKind::Import(i) = binding.kind {
            return self.eval_import(file, i);
        }
        if binding.inits.is_empty() {
            return vec![Value::Unknown];
        }
        let mut out = Vec::new();
        for &init in &binding.inits {
            for v in self.eval(file, init, ctx) {
                push_val(&mut out, v);
            }
        }
        out
    }

    pub fn eval_import(&mut self, file: FileId, i: ImportId) -> Vals {
        if let Some(v) = self.import_memo.get(&(file, i)) {
            return v.clone();
        }
        let out = self.eval_import_inner(file, i);
        // a value cut short by the step budget is not the import's value
        if self.steps <= STEP_BUDGET {
            self.import_memo.insert((file, i), out.clone());
        }
        out
    }

    pub(super) fn eval_import_inner(&mut self, file: FileId, i: ImportId) -> Vals {
        let Some(ir) = self.ir(file) else {
            return vec![Value::Unknown];
        };
        let import = &ir.imports[i];
        let loc = Loc {
            file,
            range: import.range,
        };
        let source = &*import.source;
        // SvelteKit's env modules
        if source.starts_with("$env/static/") {
            if let ImportKind::Named(n) = &import.kind {
                return vec![self.env_read(n, loc)];
            }
        }
        if source.starts_with("$env/dynamic/") {
            return vec![Value::EnvObj];
        }
        if let ImportKind::Named(n) = &import.kind {
            if self.snap.config.client_factories.iter().any(|f| **f == **n) {
                return vec![Value::Factory(Factory {
                    kind: FactoryKind::Custom,
                    name: Rc::from(&**n),
                })];
            }
        }
        match self.snap.resolve(file, source) {
            Resolved::File(path) => {
                let Some(target) = self.snap.file_id(&path) else {
                    return vec![Value::Unknown];
                };
                match &import.kind {
                    ImportKind::Named(n) => self.eval_export(target, n),
                    ImportKind::Default => self.eval_export(target, "default"),
                    ImportKind::Namespace => vec![Value::Module(target)],
                }
            }
            Resolved::External => {
                let Some(pkg) = supabase_package(source) else {
                    return vec![Value::Unknown];
                };
                match &import.kind {
                    ImportKind::Named(n) => {
                        vec![factory_of(pkg, n).map_or(Value::Unknown, Value::Factory)]
                    }
                    ImportKind::Default | ImportKind::Namespace => {
                        vec![Value::Package(Rc::from(pkg))]
                    }
                }
            }
        }
    }

    pub fn eval_export(&mut self, file: FileId, name: &str) -> Vals {
        let memo_key = (file, Box::<str>::from(name));
        if let Some(v) = self.export_memo.get(&memo_key) {
            return v.clone();
        }
        if !self.exports_in_progress.insert(memo_key.clone()) {
            return vec![Value::Unknown];
        }
        let out = self.eval_export_inner(file, name);
        self.exports_in_progress.remove(&memo_key);
        self.export_memo.insert(memo_key, out.clone());
        out
    }

    pub(super) fn eval_export_inner(&mut self, file: FileId, name: &str) -> Vals {
        let Some(ir) = self.ir(file) else {
            return vec![Value::Unknown];
        };
        match ir.exports.get(name) {
            Some(ExportTarget::Expr(e)) => self.eval(file, *e, &None),
            Some(ExportTarget::Binding(b)) => self.eval_binding(file, *b, &None),
            Some(ExportTarget::Reexport {
                source,
                name: inner,
            }) => match self.snap.resolve(file, source) {
                Resolved::File(p) => match self.snap.file_id(&p) {
                    Some(t) => self.eval_export(t, inner),
                    None => vec![Value::Unknown],
                },
                Resolved::External => {
                    match supabase_package(source).and_then(|pkg| factory_of(pkg, inner)) {
                        Some(f) => vec![Value::Factory(f)],
                        None => vec![Value::Unknown],
                    }
                }
            },
            Some(ExportTarget::ReexportNamespace { source }) => {
                vec![self.module_value(file, source)]
            }
            None => {
                for source in ir.star_exports.clone() {
                    match self.snap.resolve(file, &source) {
                        Resolved::File(p) => {
                            if let Some(t) = self.snap.file_id(&p) {
                                let v = self.eval_export(t, name);
                                if v.iter().any(|x| !matches!(x, Value::Unknown)) {
                                    return v;
                                }
                            }
                        }
                        Resolved::External => {
                            if let Some(f) =
                                supabase_package(&source).and_then(|pkg| factory_of(pkg, name))
                            {
                                return vec![Value::Factory(f)];
                            }
                        }
                    }
                }
                vec![Value::Unknown]
            }
        }
    }

    pub(super) fn module_value(&mut self, file: FileId, spec: &str) -> Value {
        match self.snap.resolve(file, spec) {
            Resolved::File(p) => self.snap.file_id(&p).map_or(Value::Unknown, Value::Module),
            Resolved::External => {
                supabase_package(spec).map_or(Value::Unknown, |p| Value::Package(Rc::from(p)))
            }
        }
    }

    pub fn env_read(&self, name: &str, loc: Loc) -> Value {
        let (level, by_value) = match self.snap.env_level(name) {
            Some(l) => (Some(l), true),
            None => (
                classify_env_name(
                    name,
                    &self.snap.config.service_env_names,
                    &self.snap.config.anon_env_names,
                ),
                false,
            ),
        };
        Value::Key(Rc::new(KeyVal {
            level,
            source: KeySource::Env {
                name: Rc::from(name),
                by_value,
            },
            origin: loc,
            via_call: None,
        }))
    }
}
