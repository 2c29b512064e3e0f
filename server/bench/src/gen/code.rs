//! Code templates: self-contained TypeScript/TSX units (types, helpers, classes, small components) and the
//! main export of each kind of file. Placeholders are `@NAME@`, filled by [`fill`]; every top-level name goes
//! through [`Names::unique`], so no two declarations in a project clash (which keeps `export *` re-exports valid).

use std::collections::HashSet;

use crate::rng::Rng;

pub const WORDS: &[&str] = &[
    "account",
    "activity",
    "address",
    "alert",
    "analytics",
    "archive",
    "asset",
    "audit",
    "avatar",
    "badge",
    "balance",
    "banner",
    "billing",
    "board",
    "booking",
    "budget",
    "calendar",
    "campaign",
    "cart",
    "catalog",
    "category",
    "channel",
    "chart",
    "checkout",
    "comment",
    "contact",
    "content",
    "contract",
    "coupon",
    "course",
    "customer",
    "dashboard",
    "deal",
    "delivery",
    "device",
    "discount",
    "document",
    "domain",
    "draft",
    "editor",
    "event",
    "expense",
    "export",
    "feature",
    "feed",
    "feedback",
    "field",
    "file",
    "filter",
    "folder",
    "form",
    "gallery",
    "goal",
    "group",
    "guide",
    "history",
    "import",
    "inbox",
    "insight",
    "integration",
    "invite",
    "invoice",
    "issue",
    "item",
    "job",
    "label",
    "lead",
    "lesson",
    "library",
    "license",
    "link",
    "listing",
    "location",
    "log",
    "media",
    "meeting",
    "member",
    "message",
    "metric",
    "milestone",
    "module",
    "note",
    "notification",
    "offer",
    "order",
    "organization",
    "page",
    "partner",
    "payment",
    "payout",
    "permission",
    "pipeline",
    "plan",
    "playlist",
    "policy",
    "portfolio",
    "post",
    "preference",
    "price",
    "product",
    "profile",
    "project",
    "promotion",
    "property",
    "quote",
    "rating",
    "receipt",
    "record",
    "referral",
    "release",
    "report",
    "request",
    "reservation",
    "resource",
    "review",
    "reward",
    "role",
    "room",
    "route",
    "rule",
    "schedule",
    "search",
    "section",
    "segment",
    "session",
    "setting",
    "shipment",
    "shop",
    "skill",
    "snippet",
    "source",
    "space",
    "sprint",
    "stage",
    "statement",
    "status",
    "step",
    "store",
    "subscription",
    "supplier",
    "survey",
    "tag",
    "task",
    "team",
    "template",
    "tenant",
    "thread",
    "ticket",
    "timeline",
    "topic",
    "tour",
    "track",
    "transaction",
    "transfer",
    "trip",
    "upload",
    "usage",
    "vendor",
    "version",
    "video",
    "visit",
    "voucher",
    "wallet",
    "webhook",
    "widget",
    "workflow",
    "workspace",
];

pub const UI_NOUNS: &[&str] = &[
    "Card", "List", "Table", "Form", "Panel", "Header", "Footer", "Sidebar", "Dialog", "Sheet",
    "Menu", "Tabs", "Summary", "Row", "Grid", "Badge", "Toolbar", "Picker", "Preview", "Chart",
    "Stats", "Empty", "Skeleton", "Banner", "Drawer", "Filters", "Details", "Timeline", "Uploader",
    "Viewer",
];

const FIELD_TYPES: &[&str] = &[
    "string",
    "number",
    "boolean",
    "string | null",
    "Date",
    "string[]",
    "number[]",
    "'draft' | 'published' | 'archived'",
    "{ label: string; count: number }",
    "Record<string, string>",
];

const CLASSES: &[&str] = &[
    "rounded-lg border bg-card p-4 shadow-sm",
    "flex flex-col gap-4",
    "grid gap-4 md:grid-cols-2 lg:grid-cols-3",
    "space-y-2",
    "relative overflow-hidden rounded-md",
    "flex items-center justify-between gap-2",
];

/// Every top-level identifier of the project, so that each one is declared once.
pub struct Names {
    used: HashSet<String>,
}

impl Names {
    pub fn new() -> Names {
        let reserved = [
            "React",
            "useState",
            "useEffect",
            "useMemo",
            "useCallback",
            "NextResponse",
            "cn",
            "createClient",
            "createServerClient",
            "createBrowserClient",
            "createAdminClient",
            "redirect",
            "revalidatePath",
            "cookies",
            "metadata",
            "Database",
            "Json",
            "GET",
            "POST",
            "Deno",
        ];
        Names {
            used: reserved.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// `base`, or `base2`, `base3`… if taken.
    pub fn unique(&mut self, base: &str) -> String {
        if self.used.insert(base.to_string()) {
            return base.to_string();
        }
        (2..)
            .map(|i| format!("{base}{i}"))
            .find(|n| self.used.insert(n.clone()))
            .expect("a free name")
    }
}

pub fn pascal(w: &str) -> String {
    w.split(['-', '_', ' '])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

pub fn camel(w: &str) -> String {
    let p = pascal(w);
    let mut c = p.chars();
    match c.next() {
        Some(f) => f.to_ascii_lowercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

pub fn upper_snake(pascal_name: &str) -> String {
    let mut s = String::new();
    for (i, ch) in pascal_name.chars().enumerate() {
        if ch.is_ascii_uppercase() && i > 0 {
            s.push('_');
        }
        s.push(ch.to_ascii_uppercase());
    }
    s
}

/// Replaces `@KEY@` placeholders.
pub fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut s = template.to_string();
    for (k, v) in vars {
        s = s.replace(&format!("@{k}@"), v);
    }
    s
}

fn two_words(rng: &mut Rng) -> String {
    format!("{}-{}", rng.word(WORDS), rng.word(WORDS))
}

fn distinct_words(rng: &mut Rng, n: usize) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    while out.len() < n {
        let w = rng.word(WORDS);
        if !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

/// One self-contained block of code (10–40 lines). `tsx` allows JSX units.
pub fn unit(rng: &mut Rng, names: &mut Names, tsx: bool) -> String {
    let base = pascal(&two_words(rng));
    match rng.below(if tsx { 10 } else { 8 }) {
        0 => interface_unit(rng, names, &base),
        1 => options_unit(rng, names, &base),
        2 => switch_unit(rng, names, &base),
        3 => fetch_unit(rng, names, &base),
        4 => class_unit(rng, names, &base),
        5 => summarize_unit(rng, names, &base),
        6 => union_unit(rng, names, &base),
        7 => validate_unit(rng, names, &base),
        _ => list_component_unit(rng, names, &base),
    }
}

fn fields(rng: &mut Rng, min: usize, max: usize) -> String {
    let n = rng.range(min, max);
    let mut s = String::new();
    for w in distinct_words(rng, n) {
        let opt = if rng.percent(25) { "?" } else { "" };
        s.push_str(&format!("  {}{opt}: {}\n", camel(w), rng.word(FIELD_TYPES)));
    }
    s
}

fn interface_unit(rng: &mut Rng, names: &mut Names, base: &str) -> String {
    let name = names.unique(&format!("{base}Record"));
    let f = fields(rng, 3, 12);
    format!("export interface {name} {{\n  id: string\n{f}  createdAt: string\n  metadata?: Record<string, unknown>\n}}\n")
}

fn options_unit(rng: &mut Rng, names: &mut Names, base: &str) -> String {
    let konst = names.unique(&format!("{}_OPTIONS", upper_snake(base)));
    let ty = names.unique(&format!("{base}Option"));
    let mut s = format!("export const {konst} = [\n");
    for (i, w) in {
        let n = rng.range(4, 20);
        distinct_words(rng, n)
    }
    .into_iter()
    .enumerate()
    {
        s.push_str(&format!(
            "  {{ value: '{w}', label: '{}', order: {i} }},\n",
            pascal(w)
        ));
    }
    s.push_str(&format!(
        "] as const\n\nexport type {ty} = (typeof {konst})[number]['value']\n"
    ));
    s
}

fn switch_unit(rng: &mut Rng, names: &mut Names, base: &str) -> String {
    let f = names.unique(&format!("describe{base}"));
    let ws = {
        let n = rng.range(3, 9);
        distinct_words(rng, n)
    };
    let union: Vec<String> = ws.iter().map(|w| format!("'{w}'")).collect();
    let mut s = format!(
        "export function {f}(status: {}): string {{\n  switch (status) {{\n",
        union.join(" | ")
    );
    for w in &ws {
        s.push_str(&format!(
            "    case '{w}':\n      return '{} {}'\n",
            pascal(w),
            rng.word(WORDS)
        ));
    }
    s.push_str("    default:\n      return 'Unknown'\n  }\n}\n");
    s
}

fn fetch_unit(rng: &mut Rng, names: &mut Names, base: &str) -> String {
    let f = names.unique(&format!("fetch{base}"));
    let field = camel(rng.word(WORDS));
    let ty = rng.word(FIELD_TYPES);
    fill(
        "export async function @F@(id: string, signal?: AbortSignal): Promise<{ id: string; @FIELD@: @TY@ } | null> {
  const res = await fetch(`/api/@PATH@/${encodeURIComponent(id)}`, {
    signal,
    headers: { Accept: 'application/json' },
  })
  if (res.status === 404) return null
  if (!res.ok) {
    throw new Error(`Failed to load @W@: ${res.status} ${res.statusText}`)
  }
  const body = (await res.json()) as { data: { id: string; @FIELD@: @TY@ } }
  return body.data
}
",
        &[
            ("F", &f),
            ("FIELD", &field),
            ("TY", ty),
            ("PATH", &two_words(rng)),
            ("W", rng.word(WORDS)),
        ],
    )
}

fn class_unit(rng: &mut Rng, names: &mut Names, base: &str) -> String {
    let c = names.unique(&format!("{base}Cache"));
    let ttl = format!("{}_000", rng.range(5, 600));
    fill(
        "export class @C@<T> {
  private readonly entries = new Map<string, { value: T; expires: number }>()

  constructor(private readonly ttlMs = @TTL@) {}

  get(key: string): T | undefined {
    const hit = this.entries.get(key)
    if (!hit) return undefined
    if (hit.expires < Date.now()) {
      this.entries.delete(key)
      return undefined
    }
    return hit.value
  }

  set(key: string, value: T): void {
    this.entries.set(key, { value, expires: Date.now() + this.ttlMs })
  }

  get size(): number {
    return this.entries.size
  }
}
",
        &[("C", &c), ("TTL", &ttl)],
    )
}

fn summarize_unit(rng: &mut Rng, names: &mut Names, base: &str) -> String {
    let f = names.unique(&format!("summarize{base}"));
    let field = camel(rng.word(WORDS));
    fill(
        "export function @F@(rows: Array<{ amount: number; @FIELD@: string }>, limit = @L@) {
  const totals = new Map<string, number>()
  for (const row of rows) {
    totals.set(row.@FIELD@, (totals.get(row.@FIELD@) ?? 0) + row.amount)
  }
  return [...totals.entries()]
    .map(([key, total]) => ({ key, total: Math.round(total * 100) / 100 }))
    .sort((a, b) => b.total - a.total)
    .slice(0, limit)
}
",
        &[
            ("F", &f),
            ("FIELD", &field),
            ("L", &rng.range(3, 50).to_string()),
        ],
    )
}

fn union_unit(rng: &mut Rng, names: &mut Names, base: &str) -> String {
    let kind = names.unique(&format!("{base}Kind"));
    let event = names.unique(&format!("{base}Event"));
    let guard = names.unique(&format!("is{base}Event"));
    let ws = {
        let n = rng.range(3, 7);
        distinct_words(rng, n)
    };
    let mut s = format!("export enum {kind} {{\n");
    for w in &ws {
        s.push_str(&format!("  {} = '{w}',\n", pascal(w)));
    }
    s.push_str(&format!(
        "}}\n\nexport type {event} =\n  | {{ type: '{}'; at: Date }}\n  | {{ type: '{}'; reason?: string }}\n  | {{ type: '{}'; count: number }}\n\n",
        ws[0], ws[1], ws[2]
    ));
    s.push_str(&format!(
        "export function {guard}(value: unknown): value is {event} {{\n  return typeof value === 'object' && value !== null && 'type' in value\n}}\n"
    ));
    s
}

fn validate_unit(rng: &mut Rng, names: &mut Names, base: &str) -> String {
    let f = names.unique(&format!("validate{base}"));
    let pat = names.unique(&format!("{}_PATTERN", upper_snake(base)));
    let w = rng.word(WORDS);
    fill(
        "const @PAT@ = /^[a-z0-9][a-z0-9-]{@MIN@,@MAX@}$/

export function @F@(input: string): { ok: true; value: string } | { ok: false; error: string } {
  const value = input.trim().toLowerCase()
  if (value.length === 0) {
    return { ok: false, error: '@WP@ is required' }
  }
  if (!@PAT@.test(value)) {
    return { ok: false, error: `Invalid @W@: ${value}` }
  }
  return { ok: true, value }
}
",
        &[
            ("PAT", &pat),
            ("F", &f),
            ("MIN", &rng.range(1, 3).to_string()),
            ("MAX", &rng.range(20, 63).to_string()),
            ("W", w),
            ("WP", &pascal(w)),
        ],
    )
}

fn list_component_unit(rng: &mut Rng, names: &mut Names, base: &str) -> String {
    let row = names.unique(&format!("{base}Row"));
    let list = names.unique(&format!("{base}List"));
    fill(
        "function @ROW@({ label, value, muted = false }: { label: string; value: number; muted?: boolean }) {
  return (
    <div className={muted ? 'flex justify-between text-muted-foreground' : 'flex justify-between'}>
      <span className=\"text-sm\">{label}</span>
      <span className=\"font-mono text-xs\">{value.toLocaleString()}</span>
    </div>
  )
}

export function @LIST@({ items }: { items: Array<{ id: string; label: string; value: number }> }) {
  if (items.length === 0) {
    return <p className=\"text-sm text-muted-foreground\">No @W@ yet.</p>
  }
  return (
    <ul className=\"@CLS@\">
      {items.map((item, i) => (
        <li key={item.id} className=\"py-2\">
          <@ROW@ label={item.label} value={item.value} muted={i % 2 === 1} />
        </li>
      ))}
    </ul>
  )
}
",
        &[("ROW", &row), ("LIST", &list), ("W", rng.word(WORDS)), ("CLS", rng.word(CLASSES))],
    )
}

/// What a file imports from the rest of the project, by how it can use it.
#[derive(Default)]
pub struct Uses {
    pub components: Vec<String>,
    pub functions: Vec<String>,
    pub hooks: Vec<String>,
    pub types: Vec<String>,
    pub data: Vec<String>,
}

/// A feature component; `client` adds state (and the caller writes `'use client'`).
pub fn component_main(rng: &mut Rng, name: &str, props: &str, client: bool, uses: &Uses) -> String {
    let title = pascal(rng.word(WORDS)) + " " + rng.word(WORDS);
    let mut body = String::new();
    let mut children = String::new();
    if client {
        body.push_str(&format!(
            "  const [open, setOpen] = useState({})\n  const [query, setQuery] = useState('')\n",
            rng.percent(50)
        ));
        for (i, h) in uses.hooks.iter().enumerate() {
            body.push_str(&format!("  const state{i} = {h}()\n"));
            children.push_str(&format!("      <span data-count={{state{i}.count}} />\n"));
        }
        body.push_str(
            "  const visible = useMemo(
    () => items.filter((item) => item.label.toLowerCase().includes(query.toLowerCase())),
    [items, query],
  )
",
        );
    } else {
        body.push_str("  const visible = items.slice(0, 20)\n");
    }
    for (i, f) in uses.functions.iter().enumerate() {
        body.push_str(&format!("  const text{i} = {f}(title)\n"));
        children.push_str(&format!("      <p className=\"text-xs\">{{text{i}}}</p>\n"));
    }
    for (i, t) in uses.types.iter().enumerate() {
        body.push_str(&format!("  const selected{i}: {t} | null = null\n"));
        children.push_str(&format!("      {{selected{i} && <hr />}}\n"));
    }
    for c in &uses.components {
        children.push_str(&format!("      <{c} />\n"));
    }
    let controls = if client {
        "      <header className=\"flex items-center justify-between\">
        <h2 className=\"text-lg font-semibold\">{title}</h2>
        <button type=\"button\" onClick={() => setOpen((v) => !v)} aria-expanded={open}>
          {open ? 'Hide' : 'Show'}
        </button>
      </header>
      <input value={query} onChange={(e) => setQuery(e.target.value)} placeholder=\"Search\" />
      {open && (
        <ul>
          {visible.map((item) => (
            <li key={item.id}>
              <button type=\"button\" onClick={() => onSelect?.(item.id)}>
                {item.label}
              </button>
            </li>
          ))}
        </ul>
      )}
"
    } else {
        "      <h2 className=\"text-lg font-semibold\">{title}</h2>
      <ul>
        {visible.map((item) => (
          <li key={item.id} data-selectable={Boolean(onSelect)}>
            {item.label}: {item.value}
          </li>
        ))}
      </ul>
"
    };
    fill(
        "export interface @PROPS@ {
  title?: string
  className?: string
  items?: Array<{ id: string; label: string; value: number }>
  onSelect?: (id: string) => void
}

export function @NAME@({ title = '@TITLE@', className, items = [], onSelect }: @PROPS@) {
@BODY@  return (
    <section className={cn('@CLS@', className)}>
@CONTROLS@@CHILDREN@    </section>
  )
}
",
        &[
            ("PROPS", props),
            ("NAME", name),
            ("TITLE", &title),
            ("BODY", &body),
            ("CLS", rng.word(CLASSES)),
            ("CONTROLS", controls),
            ("CHILDREN", &children),
        ],
    )
}

pub fn ui_primitive_main(rng: &mut Rng, names: &mut Names, name: &str, props: &str) -> String {
    let variants = names.unique(&format!("{}Variants", camel(name)));
    let el = rng.pick(&[
        ("HTMLDivElement", "div"),
        ("HTMLButtonElement", "button"),
        ("HTMLSpanElement", "span"),
    ]);
    fill(
        "const @VARIANTS@ = {
  default: 'bg-primary text-primary-foreground hover:bg-primary/90',
  outline: 'border border-input bg-background hover:bg-accent',
  ghost: 'hover:bg-accent hover:text-accent-foreground',
} as const

export interface @PROPS@ extends React.HTMLAttributes<@EL@> {
  variant?: keyof typeof @VARIANTS@
}

export const @NAME@ = React.forwardRef<@EL@, @PROPS@>(({ className, variant = 'default', ...props }, ref) => (
  <@TAG@ ref={ref} className={cn('@CLS@', @VARIANTS@[variant], className)} {...props} />
))
@NAME@.displayName = '@NAME@'
",
        &[
            ("VARIANTS", &variants),
            ("PROPS", props),
            ("NAME", name),
            ("EL", el.0),
            ("TAG", el.1),
            ("CLS", rng.word(CLASSES)),
        ],
    )
}

/// `export function name(input: string, options = {}): string` — the shape every lib/util export has, so any
/// importer can call it.
pub fn function_main(rng: &mut Rng, name: &str, uses: &Uses) -> String {
    let mut body = String::new();
    for f in &uses.functions {
        body.push_str(&format!(
            "  value = {f}(value, {{ strict: options.strict }})\n"
        ));
    }
    for t in &uses.types {
        body.push_str(&format!("  const shape: Partial<{t}> = {{}}\n  if (Object.keys(shape).length > 0) value += '!'\n"));
    }
    fill(
        "export function @NAME@(input: string, options: { strict?: boolean } = {}): string {
  let value = input.trim()
@BODY@  if (options.strict) {
    value = value.replace(/\\s+/g, '@SEP@').toLowerCase()
  }
  return value.length > @MAX@ ? `${value.slice(0, @MAX@)}…` : value
}
",
        &[
            ("NAME", name),
            ("BODY", &body),
            ("SEP", rng.word(&["-", "_", "."])),
            ("MAX", &rng.range(40, 400).to_string()),
        ],
    )
}

pub fn hook_main(rng: &mut Rng, name: &str) -> String {
    fill(
        "export function @NAME@(initial = false) {
  const [active, setActive] = useState(initial)
  const [count, setCount] = useState(0)
  useEffect(() => {
    if (!active) return
    const id = window.setInterval(() => setCount((c) => c + 1), @MS@)
    return () => window.clearInterval(id)
  }, [active])
  const toggle = useCallback(() => setActive((v) => !v), [])
  return { active, count, toggle }
}
",
        &[("NAME", name), ("MS", &rng.range(100, 5000).to_string())],
    )
}

pub fn type_main(rng: &mut Rng, name: &str, uses: &Uses) -> String {
    let mut s = format!(
        "export type {name} = {{\n  id: string\n{}",
        fields(rng, 2, 10)
    );
    for (i, t) in uses.types.iter().enumerate() {
        s.push_str(&format!("  related{i}?: {t}\n"));
    }
    s.push_str("}\n");
    s
}
