//! The Supabase side of a generated project: the usual clients (clean), clean uses of them, the SQL
//! migrations, and the planted findings with the rule each must produce.

use super::code::{fill, pascal, Names, WORDS};
use crate::rng::Rng;

/// A planted finding: the file and rule `rlscope check` must report (the line is informative).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planted {
    pub path: String,
    pub rule: &'static str,
    pub line: usize,
}

pub struct FixedFile {
    pub path: &'static str,
    pub text: String,
}

pub const SERVER_CLIENT: &str = "import { createServerClient } from '@supabase/ssr'
import { cookies } from 'next/headers'

export async function createClient() {
  const cookieStore = await cookies()

  return createServerClient(
    process.env.NEXT_PUBLIC_SUPABASE_URL!,
    process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!,
    {
      cookies: {
        getAll() {
          return cookieStore.getAll()
        },
        setAll(cookiesToSet) {
          try {
            cookiesToSet.forEach(({ name, value, options }) => cookieStore.set(name, value, options))
          } catch {
            // Called from a Server Component: the middleware refreshes sessions.
          }
        },
      },
    },
  )
}
";

pub const BROWSER_CLIENT: &str = "import { createBrowserClient } from '@supabase/ssr'

export function createClient() {
  return createBrowserClient(
    process.env.NEXT_PUBLIC_SUPABASE_URL!,
    process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!,
  )
}
";

pub const MIDDLEWARE_CLIENT: &str = "import { createServerClient } from '@supabase/ssr'
import { NextResponse, type NextRequest } from 'next/server'

export async function updateSession(request: NextRequest) {
  let supabaseResponse = NextResponse.next({ request })

  const supabase = createServerClient(
    process.env.NEXT_PUBLIC_SUPABASE_URL!,
    process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!,
    {
      cookies: {
        getAll() {
          return request.cookies.getAll()
        },
        setAll(cookiesToSet) {
          cookiesToSet.forEach(({ name, value }) => request.cookies.set(name, value))
          supabaseResponse = NextResponse.next({ request })
          cookiesToSet.forEach(({ name, value, options }) => supabaseResponse.cookies.set(name, value, options))
        },
      },
    },
  )

  const {
    data: { user },
  } = await supabase.auth.getUser()

  if (!user && request.nextUrl.pathname.startsWith('/dashboard')) {
    const url = request.nextUrl.clone()
    url.pathname = '/login'
    return NextResponse.redirect(url)
  }

  return supabaseResponse
}
";

pub const ROOT_MIDDLEWARE: &str = "import { type NextRequest } from 'next/server'
import { updateSession } from '@/utils/supabase/middleware'

export async function middleware(request: NextRequest) {
  return await updateSession(request)
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico|.*\\\\.(?:svg|png|jpg|jpeg|gif|webp)$).*)'],
}
";

pub const ADMIN_CLIENT: &str = "import 'server-only'
import { createClient } from '@supabase/supabase-js'

/** A service-role client: bypasses RLS. Server code only, never with a user's session. */
export function createAdminClient() {
  return createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  })
}
";

pub const REDIS: &str = "import { createClient } from 'redis'

// Not Supabase: a `createClient` from another package must not be taken for one.
export const redis = createClient({ url: process.env.REDIS_URL })

export async function cached<T>(key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T> {
  const hit = await redis.get(key)
  if (hit) return JSON.parse(hit) as T
  const value = await load()
  await redis.set(key, JSON.stringify(value), { EX: ttlSeconds })
  return value
}
";

pub const LIB_UTILS: &str = "import { clsx, type ClassValue } from 'clsx'
import { twMerge } from 'tailwind-merge'

export function cn(...inputs: ClassValue[]) {
  return twMerge(clsx(inputs))
}
";

pub const LAYOUT: &str = "import type { Metadata } from 'next'
import './globals.css'

export const metadata: Metadata = {
  title: 'Acme',
  description: 'A generated Next.js + Supabase project for rlscope benchmarks',
}

export default function RootLayout({ children }: Readonly<{ children: React.ReactNode }>) {
  return (
    <html lang=\"en\">
      <body className=\"min-h-screen bg-background antialiased\">{children}</body>
    </html>
  )
}
";

pub const HOME: &str = "import Link from 'next/link'
import { createClient } from '@/utils/supabase/server'

export default async function Home() {
  const supabase = await createClient()
  const {
    data: { user },
  } = await supabase.auth.getUser()
  return (
    <main className=\"flex min-h-screen flex-col items-center justify-center gap-4\">
      <h1 className=\"text-3xl font-bold\">Acme</h1>
      {user ? <Link href=\"/dashboard\">Dashboard</Link> : <Link href=\"/login\">Sign in</Link>}
    </main>
  )
}
";

pub const NEXT_CONFIG: &str = "/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  images: { remotePatterns: [{ protocol: 'https', hostname: '*.supabase.co' }] },
  experimental: { serverActions: { bodySizeLimit: '2mb' } },
}

export default nextConfig
";

pub fn package_json(name: &str) -> String {
    format!(
        r#"{{
  "name": "{name}",
  "private": true,
  "scripts": {{ "dev": "next dev", "build": "next build", "start": "next start" }},
  "dependencies": {{
    "@supabase/ssr": "^0.7.0",
    "@supabase/supabase-js": "^2.57.0",
    "clsx": "^2.1.1",
    "next": "15.5.2",
    "react": "19.1.1",
    "react-dom": "19.1.1",
    "redis": "^5.8.2",
    "server-only": "^0.0.1",
    "tailwind-merge": "^3.3.1"
  }}
}}
"#
    )
}

pub const TSCONFIG: &str = r#"{
  "compilerOptions": {
    "target": "ES2017",
    "lib": ["dom", "dom.iterable", "esnext"],
    "allowJs": true,
    "skipLibCheck": true,
    "strict": true,
    "noEmit": true,
    "esModuleInterop": true,
    "module": "esnext",
    "moduleResolution": "bundler",
    "resolveJsonModule": true,
    "isolatedModules": true,
    "jsx": "preserve",
    "incremental": true,
    "plugins": [{ "name": "next" }],
    "paths": { "@/*": ["./*"] }
  },
  "include": ["next-env.d.ts", "**/*.ts", "**/*.tsx", ".next/types/**/*.ts"],
  "exclude": ["node_modules", "supabase/functions"]
}
"#;

/// Supabase's generated `database.types.ts` (one large, type-only file): `tables` tables.
pub fn database_types(rng: &mut Rng, tables: &[String]) -> String {
    let mut s = String::from(
        "export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[]\n\nexport type Database = {\n  public: {\n    Tables: {\n",
    );
    for t in tables {
        let cols: Vec<(&str, &str)> = (0..rng.range(4, 14))
            .map(|_| {
                (
                    rng.word(WORDS),
                    rng.word(&["string", "number", "boolean", "Json", "string | null"]),
                )
            })
            .collect();
        let mut seen = Vec::new();
        let cols: Vec<_> = cols
            .into_iter()
            .filter(|(c, _)| {
                let fresh = !seen.contains(c);
                seen.push(*c);
                fresh
            })
            .collect();
        s.push_str(&format!("      {t}: {{\n"));
        for (section, opt) in [("Row", ""), ("Insert", "?"), ("Update", "?")] {
            s.push_str(&format!("        {section}: {{\n"));
            s.push_str(&format!(
                "          id{}: string\n",
                if section == "Row" { "" } else { "?" }
            ));
            for (c, ty) in &cols {
                s.push_str(&format!("          {c}{opt}: {ty}\n"));
            }
            s.push_str(&format!("          created_at{opt}: string\n        }}\n"));
        }
        s.push_str("        Relationships: []\n      }\n");
    }
    s.push_str(
        "    }\n    Views: { [_ in never]: never }\n    Functions: { [_ in never]: never }\n    Enums: { [_ in never]: never }\n  }\n}\n\nexport type Tables<T extends keyof Database['public']['Tables']> = Database['public']['Tables'][T]['Row']\n",
    );
    s
}

/// A data-access module on the cookie (anon) client: `lib/data/*.ts`. Returns the text and the list function.
pub fn data_module(rng: &mut Rng, names: &mut Names, table: &str) -> (String, String) {
    let base = pascal(table);
    let list = names.unique(&format!("list{base}"));
    let get = names.unique(&format!("get{base}ById"));
    let create = names.unique(&format!("create{base}"));
    let cols: Vec<&str> = (0..rng.range(2, 6)).map(|_| rng.word(WORDS)).collect();
    let text = fill(
        "import 'server-only'
import { createClient } from '@/utils/supabase/server'

export async function @LIST@(limit = 50) {
  const supabase = await createClient()
  const { data, error } = await supabase
    .from('@T@')
    .select('id, @COLS@, created_at')
    .order('created_at', { ascending: false })
    .limit(limit)
  if (error) throw new Error(error.message)
  return data ?? []
}

export async function @GET@(id: string) {
  const supabase = await createClient()
  const { data, error } = await supabase.from('@T@').select('*').eq('id', id).maybeSingle()
  if (error) throw new Error(error.message)
  return data
}

export async function @CREATE@(values: Record<string, unknown>) {
  const supabase = await createClient()
  const {
    data: { user },
  } = await supabase.auth.getUser()
  if (!user) throw new Error('Not signed in')
  const { data, error } = await supabase
    .from('@T@')
    .insert({ ...values, owner_id: user.id })
    .select()
    .single()
  if (error) throw new Error(error.message)
  return data
}
",
        &[
            ("LIST", &list),
            ("GET", &get),
            ("CREATE", &create),
            ("T", table),
            ("COLS", &cols.join(", ")),
        ],
    );
    (text, list)
}

/// A server action on the cookie client.
pub fn action_module(names: &mut Names, table: &str) -> String {
    let f = names.unique(&format!("save{}", pascal(table)));
    fill(
        "'use server'

import { revalidatePath } from 'next/cache'
import { createClient } from '@/utils/supabase/server'

export async function @F@(formData: FormData) {
  const supabase = await createClient()
  const name = String(formData.get('name') ?? '').trim()
  if (!name) return { error: 'Name is required' }
  const { error } = await supabase.from('@T@').upsert({ id: formData.get('id') as string, name })
  if (error) return { error: error.message }
  revalidatePath('/@T@')
  return { ok: true }
}
",
        &[("F", &f), ("T", table)],
    )
}

/// An admin route on the service client, used correctly (`auth.admin.*`, no session).
pub fn admin_route(table: &str) -> String {
    fill(
        "import { NextResponse } from 'next/server'
import { createAdminClient } from '@/lib/supabase/admin'

export async function GET() {
  const admin = createAdminClient()
  const { data, error } = await admin.auth.admin.listUsers({ page: 1, perPage: 50 })
  if (error) return NextResponse.json({ error: error.message }, { status: 500 })
  const { count } = await admin.from('@T@').select('*', { count: 'exact', head: true })
  return NextResponse.json({ users: data.users.map((u) => ({ id: u.id, email: u.email })), count })
}
",
        &[("T", table)],
    )
}

/// A clean Edge Function: the documented pattern (anon key + the caller's Authorization header).
pub fn edge_function(table: &str) -> String {
    fill(
        "import { createClient } from 'jsr:@supabase/supabase-js@2'

Deno.serve(async (req: Request) => {
  const supabase = createClient(
    Deno.env.get('SUPABASE_URL') ?? '',
    Deno.env.get('SUPABASE_ANON_KEY') ?? '',
    { global: { headers: { Authorization: req.headers.get('Authorization')! } } },
  )
  const {
    data: { user },
  } = await supabase.auth.getUser()
  const { data, error } = await supabase.from('@T@').select('*').limit(20)
  if (error) {
    return new Response(JSON.stringify({ error: error.message }), { status: 500 })
  }
  return new Response(JSON.stringify({ user: user?.id ?? null, data }), {
    headers: { 'Content-Type': 'application/json' },
  })
})
",
        &[("T", table)],
    )
}

/// A client component that reads through the browser (anon) client.
pub fn realtime_component(names: &mut Names, table: &str) -> (String, String) {
    let name = names.unique(&format!("Live{}Feed", pascal(table)));
    let text = fill(
        "'use client'

import { useEffect, useState } from 'react'
import { createClient } from '@/utils/supabase/client'

export function @NAME@() {
  const [rows, setRows] = useState<Array<{ id: string }>>([])
  useEffect(() => {
    const supabase = createClient()
    supabase
      .from('@T@')
      .select('id')
      .limit(10)
      .then(({ data }) => setRows(data ?? []))
    const channel = supabase
      .channel('@T@-changes')
      .on('postgres_changes', { event: '*', schema: 'public', table: '@T@' }, () => {
        setRows((r) => [...r])
      })
      .subscribe()
    return () => {
      supabase.removeChannel(channel)
    }
  }, [])
  return <pre className=\"text-xs\">{rows.length} rows</pre>
}
",
        &[("NAME", &name), ("T", table)],
    );
    (text, name)
}

pub fn migrations(tables: &[String]) -> Vec<(String, String)> {
    let mut init = String::from("-- Generated schema with row level security on every table.\n");
    for t in tables.iter().take(12) {
        init.push_str(&format!(
            "create table public.{t} (\n  id uuid primary key default gen_random_uuid(),\n  owner_id uuid references auth.users not null,\n  name text,\n  created_at timestamptz not null default now()\n);\nalter table public.{t} enable row level security;\ncreate policy \"Owners read {t}\" on public.{t} for select to authenticated using ((select auth.uid()) = owner_id);\ncreate policy \"Owners write {t}\" on public.{t} for insert to authenticated with check ((select auth.uid()) = owner_id);\ngrant all on public.{t} to service_role;\n\n"
        ));
    }
    vec![(
        "supabase/migrations/20240101000000_init.sql".to_string(),
        init,
    )]
}

fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("marker {needle:?} in plant"));
    text[..at].matches('\n').count() + 1
}

/// A JWT-shaped literal whose payload says `"role":"service_role"` and whose signature is plainly not one.
/// It is not a key of any project; it only has the shape rlscope must recognise.
pub fn fake_service_jwt(rng: &mut Rng) -> String {
    let reference: String = (0..20)
        .map(|_| (b'a' + rng.below(26) as u8) as char)
        .collect();
    rlscope_testkit::supabase_jwt(
        "service_role",
        &reference,
        "rlscope-bench fake signature: not a key",
    )
}

/// The planted files (path, text) and the findings they must produce.
pub fn plants(rng: &mut Rng) -> (Vec<(String, String)>, Vec<Planted>) {
    let mut files = Vec::new();
    let mut expected = Vec::new();
    let mut plant = |files: &mut Vec<(String, String)>,
                     path: &str,
                     text: String,
                     rule: &'static str,
                     marker: &str| {
        expected.push(Planted {
            path: path.to_string(),
            rule,
            line: line_of(&text, marker),
        });
        files.push((path.to_string(), text));
    };

    // 1. A module-level service client signs a user in: every later query on it runs as that user.
    plant(
        &mut files,
        "app/api/auth/login/route.ts",
        "import { NextResponse } from 'next/server'
import { createAdminClient } from '@/lib/supabase/admin'

const supabase = createAdminClient()

export async function POST(request: Request) {
  const { email, password } = (await request.json()) as { email: string; password: string }
  const { data, error } = await supabase.auth.signInWithPassword({ email, password })
  if (error) return NextResponse.json({ error: error.message }, { status: 401 })
  const { data: profile } = await supabase.from('profiles').select('*').eq('id', data.user.id).single()
  return NextResponse.json({ profile })
}
"
        .to_string(),
        "session-method-on-service-client",
        "signInWithPassword",
    );

    // 2. Edge Function: service key plus the caller's Authorization header.
    plant(
        &mut files,
        "supabase/functions/sync-orders/index.ts",
        "import { createClient } from 'npm:@supabase/supabase-js@2'

Deno.serve(async (req: Request) => {
  const supabase = createClient(
    Deno.env.get('SUPABASE_URL')!,
    Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')!,
    { global: { headers: { Authorization: req.headers.get('Authorization')! } } },
  )
  const { data, error } = await supabase.from('orders').select('*').eq('status', 'pending')
  if (error) return new Response(error.message, { status: 500 })
  return Response.json({ synced: data.length })
})
"
        .to_string(),
        "auth-header-overrides-service-key",
        "Authorization: req",
    );

    // 3. A service-role JWT written into the source (fake: see fake_service_jwt).
    let jwt = fake_service_jwt(rng);
    plant(
        &mut files,
        "lib/legacy/service-client.ts",
        format!(
            "import 'server-only'
import {{ createClient }} from '@supabase/supabase-js'

// TODO: move to an environment variable before launch
const SERVICE_KEY = '{jwt}'

export const legacyAdmin = createClient('https://example-project.supabase.co', SERVICE_KEY, {{
  auth: {{ persistSession: false, autoRefreshToken: false }},
}})
"
        ),
        "hardcoded-service-key",
        "const SERVICE_KEY",
    );

    // 4. signUp on the service client, reached through `lib/supabase/index.ts` (`export *`) and the `@/` alias.
    plant(
        &mut files,
        "app/(auth)/signup/actions.ts",
        "'use server'

import { redirect } from 'next/navigation'
import { createAdminClient } from '@/lib/supabase'

export async function signUp(formData: FormData) {
  const admin = createAdminClient()
  const { error } = await admin.auth.signUp({
    email: String(formData.get('email')),
    password: String(formData.get('password')),
    options: { data: { full_name: String(formData.get('name') ?? '') } },
  })
  if (error) return { error: error.message }
  redirect('/welcome')
}
"
        .to_string(),
        "session-method-on-service-client",
        "auth.signUp",
    );

    // 5. A file with no Supabase words at all: the service client's `auth` comes from another module.
    files.push((
        "lib/auth/admin-auth.ts".to_string(),
        "import { createAdminClient } from '@/lib/supabase/admin'

export const adminAuth = createAdminClient().auth
"
        .to_string(),
    ));
    plant(
        &mut files,
        "app/api/auth/verify/route.ts",
        "import { NextResponse } from 'next/server'
import { adminAuth } from '../../../../lib/auth/admin-auth'

export async function POST(request: Request) {
  const { email, token } = (await request.json()) as { email: string; token: string }
  const { data, error } = await adminAuth.verifyOtp({ email, token, type: 'email' })
  if (error) return NextResponse.json({ error: error.message }, { status: 400 })
  return NextResponse.json({ user: data.user?.id ?? null })
}
"
        .to_string(),
        "session-method-on-service-client",
        "verifyOtp",
    );

    // 6. An SSR (cookie) client given the service key.
    plant(
        &mut files,
        "utils/supabase/service-server.ts",
        "import { createServerClient } from '@supabase/ssr'
import { cookies } from 'next/headers'

export async function createServiceServerClient() {
  const cookieStore = await cookies()
  return createServerClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!, {
    cookies: {
      getAll() {
        return cookieStore.getAll()
      },
      setAll() {},
    },
  })
}
"
        .to_string(),
        "ssr-client-service-key",
        "SUPABASE_SERVICE_ROLE_KEY",
    );

    // 7. A service key in a browser bundle.
    plant(
        &mut files,
        "components/admin/danger-zone.tsx",
        "'use client'

import { createClient } from '@supabase/supabase-js'

const supabase = createClient(
  process.env.NEXT_PUBLIC_SUPABASE_URL!,
  process.env.NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY!,
)

export function DangerZone() {
  async function purge() {
    await supabase.from('audit_log').delete().lt('created_at', new Date(Date.now() - 864e5).toISOString())
  }
  return (
    <button type=\"button\" onClick={purge} className=\"text-destructive\">
      Purge audit log
    </button>
  )
}
"
        .to_string(),
        "service-key-in-browser",
        "NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY",
    );

    // 8. SQL: a policy for service_role, which bypasses RLS anyway.
    plant(
        &mut files,
        "supabase/migrations/20240301000000_admin_policies.sql",
        "-- Admin access\ncreate policy \"Service role manages orders\" on public.orders\n  for all to service_role using (true) with check (true);\n\ncreate policy \"Members read orders\" on public.orders\n  for select to authenticated using ((select auth.uid()) = owner_id);\n"
            .to_string(),
        "service-role-policy",
        "create policy \"Service role",
    );

    (files, expected)
}
