// ESM loader hooks for scenario code: Supabase package names (also `npm:`, `jsr:`, esm.sh forms) resolve to the
// column's pinned alias; `next/headers` and `server-only` to small shims; `@/…` to the scenarios folder;
// extension-less relative imports to `.ts`/`.js`/`index.ts`; TypeScript is transpiled (types stripped) on load,
// from the cache the parent run filled (RLSCOPE_ORACLE_TS_CACHE) when it holds the file.
import { readFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { aliasFor, packageOf } from './columns.mjs'
import { transpileCached } from './transpile.mjs'

const require = createRequire(import.meta.url)
let column
let tsCache
const root = new URL('../', import.meta.url)
const scenarios = new URL('../scenarios/', import.meta.url)

export async function initialize(data) {
  column = data.column
  tsCache = data.tsCache
}

function withExtension(url) {
  const p = fileURLToPath(url)
  if (existsSync(p) && !p.endsWith('/')) {
    try {
      if (require('node:fs').statSync(p).isFile()) return url
    } catch {}
  }
  for (const ext of ['.ts', '.tsx', '.js', '.mjs', '/index.ts', '/index.js']) {
    if (existsSync(p + ext)) return pathToFileURL(p + ext).href
  }
  return null
}

export async function resolve(specifier, context, next) {
  const pkg = packageOf(specifier)
  if (pkg) return next(aliasFor(column, pkg), { ...context, parentURL: root.href })
  if (specifier === 'next/headers') return { url: new URL('harness/shims/next-headers.mjs', root).href, shortCircuit: true }
  if (specifier === 'server-only') return { url: new URL('harness/shims/empty.mjs', root).href, shortCircuit: true }
  let target = null
  if (specifier.startsWith('@/')) target = new URL(specifier.slice(2), scenarios).href
  else if ((specifier.startsWith('./') || specifier.startsWith('../')) && context.parentURL?.startsWith('file:'))
    target = new URL(specifier, context.parentURL).href
  if (target) {
    const found = withExtension(target)
    if (found) return { url: found, shortCircuit: true }
  }
  return next(specifier, context)
}

export async function load(url, context, next) {
  if (url.startsWith('file:') && /\.(ts|tsx|mts)(\?.*)?$/.test(url)) {
    const file = fileURLToPath(url.replace(/\?.*$/, ''))
    const text = await readFile(file, 'utf8')
    return { format: 'module', source: transpileCached(tsCache, text, file), shortCircuit: true }
  }
  return next(url, context)
}
