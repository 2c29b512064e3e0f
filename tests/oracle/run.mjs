// The oracle: run every scenario against each pinned library version (harness/exec.mjs, one process per
// scenario file and column, against a local fake Supabase), ask `rlscope roles --format json` for the role of each
// request site, and compare. Exit 1 when a pinned column disagrees anywhere, a site never reached the wire, a
// wire request belongs to no site, or (on the full run) there are fewer than 80 sites.
//   node run.mjs [--files a.ts,b.ts] [--columns js-2.119,…] [--flip SITE] [--markdown] [--out out/]
//   node run.mjs --self-test   (flipping one expected role must make the comparison fail)
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { COLUMNS } from './harness/columns.mjs'
import { compare, summarize } from './harness/compare.mjs'
import { fillCache, isTypeScript } from './harness/transpile.mjs'

const root = fileURLToPath(new URL('.', import.meta.url))
const args = process.argv.slice(2)
const opt = (name) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const MIN_SITES = 80
const outDir = resolve(root, opt('--out') ?? 'out')
mkdirSync(outDir, { recursive: true })
const bin = process.env.RLSCOPE_BIN ?? join(root, '../../target/release/rlscope')

function scenarioFiles(dir) {
  const out = []
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) {
      if (name !== 'lib') out.push(...scenarioFiles(p))
    } else if (/\.(ts|tsx|js|mjs)$/.test(name)) out.push(relative(root, p))
  }
  return out
}
const files = opt('--files')?.split(',') ?? scenarioFiles(join(root, 'scenarios'))
const columns = opt('--columns') ? COLUMNS.filter((c) => opt('--columns').split(',').includes(c.id)) : COLUMNS

function exec(column, file, out) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(root, 'harness/exec.mjs'), column.id, out, file], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    p.stderr.on('data', (d) => (err += d))
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000)
    p.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, err })
    })
  })
}

if (args.includes('--self-test')) {
  // A test of the test: on one scenario file and one pinned column, the comparison passes as it is, and fails
  // (exit 1, the site reported as a mismatch) once rlscope's role at one site is flipped. Each flip goes both
  // ways: a user's request expected as service_role, a service_role request expected as the user's.
  const file = 'scenarios/session/sign_in_password.ts'
  const column = 'js-2.119'
  const run = (extra) =>
    spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--files', file, '--columns', column, '--out', join(outDir, extra.join('-') || 'plain'), ...extra], {
      cwd: root,
      encoding: 'utf8',
    })
  const checks = []
  const plain = run([])
  checks.push([plain.status === 0 && /oracle: \d+ passed, 0 failed/.test(plain.stdout), 'unflipped: exit 0, no mismatch', plain])
  for (const site of ['s_pw_after_select', 's_pw_before']) {
    const flipped = run(['--flip', site])
    const reported = new RegExp(`MISMATCH ${column} ${file}:\\d+ db ${site}:`).test(flipped.stdout)
    checks.push([flipped.status === 1 && reported && /oracle: \d+ passed, 1 failed/.test(flipped.stdout), `--flip ${site}: exit 1, that one site a mismatch`, flipped])
  }
  let failed = 0
  for (const [ok, what, r] of checks) {
    console.log(`${ok ? 'ok' : 'not ok'} - oracle self-test: ${what}`)
    if (!ok) {
      failed++
      console.log(`  exit ${r.status}\n${(r.stdout + r.stderr).replace(/^/gm, '  | ')}`)
    }
  }
  process.exit(failed ? 1 : 0)
}

// TypeScript is transpiled once here, not in every scenario process
function allSources(dir) {
  return readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? allSources(p) : isTypeScript(p) ? [p] : []
  })
}
const tsCache = join(outDir, 'ts-cache')
fillCache(tsCache, allSources(join(root, 'scenarios')))
process.env.RLSCOPE_ORACLE_TS_CACHE = tsCache

// every (column, file) in its own process: some library state is process-wide (supabase-js 2.39's shared
// default headers), and a scenario must not see another's
const jobs = columns.flatMap((c) => files.map((f, i) => ({ c, f, out: join(outDir, `wire-${c.id}-${i}.json`) })))
const results = new Map(columns.map((c) => [c.id, { column: c.id, pinned: c.pinned, versions: null, records: [], runs: [], versionNotes: {} }]))
let next = 0
async function worker() {
  while (next < jobs.length) {
    const j = jobs[next++]
    const { code, err } = await exec(j.c, j.f, j.out)
    const r = results.get(j.c.id)
    if (code !== 0) {
      r.runs.push({ file: j.f, variant: 'process', error: `exit ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}` })
      continue
    }
    const w = JSON.parse(readFileSync(j.out, 'utf8'))
    r.versions = w.versions
    r.records.push(...w.records)
    r.runs.push(...w.runs)
    Object.assign(r.versionNotes, w.versionNotes ?? {})
  }
}
// one more process than cores, so that a core is not idle while a process starts up
const workers = Math.max(2, Math.min(6, Number(process.env.RLSCOPE_ORACLE_JOBS) || availableParallelism() + 1))
await Promise.all(Array.from({ length: workers }, worker))

const rl = JSON.parse(execFileSync(bin, ['roles', '--format', 'json', 'scenarios'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 }))
writeFileSync(join(outDir, 'rlscope-roles.json'), JSON.stringify(rl, null, 1))
const inScope = (f) => files.includes(f) || f.startsWith('scenarios/lib/')
let sites = rl.requests.filter((s) => inScope(s.file))
const flip = opt('--flip')
if (flip) {
  // a test of the test: flip what rlscope says at one site; the oracle must then fail
  const s = sites.find((x) => x.target === flip)
  if (!s) throw new Error(`--flip ${flip}: no such site`)
  const other = { service_role: ['authenticated'], authenticated: ['service_role'], anon: ['service_role'] }
  s.db_roles = other[s.db_roles?.[0]] ?? ['service_role']
  console.log(`(flipped the expected role at ${s.file}:${s.line} ${flip} to ${s.db_roles})`)
}
const texts = new Map()
const lines = (file, line) => {
  if (!texts.has(file)) texts.set(file, readFileSync(join(root, file), 'utf8').split('\n'))
  return texts.get(file)[line - 1] ?? ''
}
const cols = columns.map((c) => results.get(c.id))
const result = compare(sites, lines, cols)
if (opt('--files')) {
  // on a partial run, a library module's sites count only where a scenario of this run reaches them
  const key = (r) => `${r.file}:${r.line}:${r.site}`
  const reached = new Set(result.rows.filter((r) => r.status !== 'not-run').map(key))
  result.rows = result.rows.filter((r) => !r.file.startsWith('scenarios/lib/') || reached.has(key(r)))
}
const summary = summarize(result, cols)
writeFileSync(join(outDir, 'results.json'), JSON.stringify({ summary, ...result }, null, 1))

const errors = cols.flatMap((c) => c.runs.filter((r) => r.error).map((r) => ({ column: c.column, pinned: c.pinned, ...r })))
console.log(`oracle: ${result.rows.length / Math.max(1, cols.length)} request sites in ${files.length} scenario files × ${columns.length} columns`)
for (const s of summary) {
  const v = s.versions ? `supabase-js ${s.versions.js}, @supabase/ssr ${s.versions.ssr}, auth-helpers-nextjs ${s.versions.helpers}` : ''
  console.log(
    `  ${s.column.padEnd(15)} ${s.pinned ? 'pinned' : 'info  '}  ${s.match}/${s.sites} match, ${s.mismatch} mismatch, ${s.notRun} not run, ${s.skipped} skipped, ${s.unmatched} unclaimed wire requests (${s.versionNotes} by a version note)  [${v}]`,
  )
}
for (const r of result.rows.filter((r) => r.status === 'mismatch' || r.status === 'not-run'))
  console.log(
    `  ${r.pinned ? 'MISMATCH' : 'info'} ${r.column} ${r.file}:${r.line} ${r.kind} ${r.site}: rlscope ${r.rlscope} ${JSON.stringify(r.expected)}, wire ${JSON.stringify(r.wire)}${r.schema ? `; schema: rlscope ${r.schema.expected}, wire ${JSON.stringify(r.schema.wire)}` : ''} (${r.status})`,
  )
for (const u of result.unmatched) console.log(`  ${u.pinned ? 'UNCLAIMED' : 'info'} ${u.column} ${u.method} ${u.path}${u.search} from ${u.file} (${u.role})`)
for (const e of errors) console.log(`  ${e.pinned ? 'ERROR' : 'info'} ${e.column} ${e.file} [${e.variant}]: ${e.error}`)
for (const p of result.problems) console.log(`  PROBLEM ${p}`)

if (args.includes('--markdown')) {
  console.log('\n| column | versions | request sites | match | mismatch | not run | skipped |\n|---|---|---|---|---|---|---|')
  for (const s of summary)
    console.log(`| ${s.column}${s.pinned ? '' : ' (informational)'} | supabase-js ${s.versions?.js}, ssr ${s.versions?.ssr}, auth-helpers-nextjs ${s.versions?.helpers} | ${s.sites} | ${s.match} | ${s.mismatch} | ${s.notRun} | ${s.skipped} |`)
}

const pinned = summary.filter((s) => s.pinned)
const failed =
  pinned.some((s) => s.mismatch || s.notRun || s.unmatched) ||
  errors.some((e) => e.pinned) ||
  result.problems.length > 0 ||
  (!opt('--files') && sites.length < MIN_SITES)
if (!opt('--files') && sites.length < MIN_SITES) console.log(`  fewer than ${MIN_SITES} request sites`)
const pinnedRows = result.rows.filter((r) => r.pinned)
console.log("oracle: request sites × pinned versions:")
console.log(
  `oracle: ${pinnedRows.filter((r) => r.status === 'match').length} passed, ${pinnedRows.filter((r) => r.status === 'mismatch' || r.status === 'not-run').length} failed, ${pinnedRows.filter((r) => r.status === 'skipped').length} skipped`,
)
process.exit(failed ? 1 : 0)
