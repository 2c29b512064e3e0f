// One column of the oracle: with the column's pinned library versions, run every scenario under scenarios/ (each
// variant in turn) against the local fake Supabase and write what each request sent.
//   node harness/exec.mjs <column-id> <out.json> [scenario files…]
import Module, { register } from 'node:module'
import { readdirSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { COLUMNS, aliasFor, packageOf } from './columns.mjs'
import { ANON_KEY, PUBLISHABLE_KEY, SECRET_KEY, SERVICE_KEY, userToken } from './keys.mjs'
import { session, startServer } from './server.mjs'

const [columnId, outPath, ...only] = process.argv.slice(2)
const column = COLUMNS.find((c) => c.id === columnId)
if (!column) {
  console.error(`unknown column ${columnId}`)
  process.exit(2)
}
const here = fileURLToPath(new URL('.', import.meta.url))
const root = join(here, '..')
const scenarioDir = join(root, 'scenarios')

register('./hooks.mjs', import.meta.url, { data: { column, tsCache: process.env.RLSCOPE_ORACLE_TS_CACHE } })
// CommonJS packages (@supabase/ssr, the auth helpers) require supabase-js too: the same column's version.
const resolveFilename = Module._resolveFilename
Module._resolveFilename = function (request, parent, ...rest) {
  const pkg = packageOf(request)
  if (pkg) return resolveFilename.call(this, aliasFor(column, pkg), { ...parent, paths: Module._nodeModulePaths(root) }, ...rest)
  return resolveFilename.call(this, request, parent, ...rest)
}
// supabase-js >= 2.8x constructs a realtime client that wants a WebSocket; no scenario opens one.
globalThis.WebSocket ??= class {
  close() {}
  send() {}
}

const server = await startServer()
Object.assign(process.env, {
  SUPABASE_URL: server.url,
  NEXT_PUBLIC_SUPABASE_URL: server.url,
  VITE_SUPABASE_URL: server.url,
  SUPABASE_SERVICE_ROLE_KEY: SERVICE_KEY,
  SUPABASE_ANON_KEY: ANON_KEY,
  NEXT_PUBLIC_SUPABASE_ANON_KEY: ANON_KEY,
  SUPABASE_SECRET_KEY: SECRET_KEY,
  SUPABASE_PUBLISHABLE_KEY: PUBLISHABLE_KEY,
  NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: PUBLISHABLE_KEY,
})
// The libraries load before any Deno global exists (it is set for Edge-Function-style scenarios only).
await import('@supabase/supabase-js')
await import('@supabase/ssr')
const handlers = []
const deno = {
  env: { get: (k) => process.env[k] },
  serve: (a, b) => {
    handlers.push(typeof a === 'function' ? a : b)
  },
}

// The session cookie as each cookie-client library stores it (`sb-<first host label>-auth-token`).
const storageKey = `sb-${new URL(server.url).hostname.split('.')[0]}-auth-token`
const VARIANTS = {
  plain: { jar: () => [] },
  'no-cookie': { jar: () => [] },
  'session-cookie': { jar: () => [{ name: storageKey, value: JSON.stringify(session()) }] },
}

function scenarioFiles(dir) {
  const out = []
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) {
      if (name !== 'lib') out.push(...scenarioFiles(p))
    } else if (/\.(ts|tsx|js|mjs)$/.test(name)) out.push(p)
  }
  return out
}

const files = only.length ? only.map((f) => join(process.cwd(), f)) : scenarioFiles(scenarioDir)
const results = { column: column.id, versions: {}, runs: [], records: server.records }
for (const pkg of ['js', 'ssr', 'helpers']) {
  const { createRequire } = Module
  const r = createRequire(join(root, 'package.json'))
  results.versions[pkg] = r(`${column[pkg]}/package.json`).version
}
let seq = 0
for (const file of files) {
  const rel = relative(root, file)
  if (rel.includes('/edge/')) globalThis.Deno = deno
  else delete globalThis.Deno
  let probe
  try {
    probe = await import(pathToFileURL(file).href + `?probe`)
  } catch (e) {
    results.runs.push({ file: rel, variant: 'load', error: String(e?.stack ?? e).split('\n').slice(0, 3).join(' | ') })
    continue
  }
  handlers.length = 0
  const variants = probe.variants ?? ['plain']
  if (probe.versionNotes) results.versionNotes = { ...results.versionNotes, ...probe.versionNotes }
  if (probe.columns && !probe.columns.includes(column.id)) {
    results.runs.push({ file: rel, variant: '*', skipped: `not run on ${column.id}` })
    continue
  }
  for (const variant of variants) {
    seq += 1
    globalThis.__oracle = {
      jar: VARIANTS[variant].jar(),
      request: new Request(`${server.url}/app`, { headers: { Authorization: `Bearer ${userToken()}`, cookie: '' } }),
    }
    server.setCurrent({ file: rel, variant })
    handlers.length = 0
    const before = server.records.length
    let error
    try {
      // a fresh instance of the scenario module per variant (its module-level clients start anew)
      const mod = await import(pathToFileURL(file).href + `?run=${seq}`)
      if (typeof mod.run === 'function') await mod.run()
      for (const h of handlers) await h(globalThis.__oracle.request)
      for (const name of ['GET', 'POST']) if (typeof mod[name] === 'function') await mod[name](globalThis.__oracle.request)
    } catch (e) {
      error = String(e?.stack ?? e).split('\n').slice(0, 3).join(' | ')
    }
    results.runs.push({ file: rel, variant, requests: server.records.length - before, ...(error ? { error } : {}) })
  }
}
await server.close()
writeFileSync(outPath, JSON.stringify(results, null, 1))
