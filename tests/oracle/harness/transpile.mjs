// TypeScript scenario code to JavaScript (types stripped), shared by the loader hook and the parent run, which
// transpiles every scenario once into a cache so that the per-scenario processes need not load TypeScript.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

const require = createRequire(import.meta.url)
let ts

export const isTypeScript = (path) => /\.(ts|tsx|mts)$/.test(path)

export function transpile(text, fileName) {
  ts ??= require('typescript')
  return ts.transpileModule(text, {
    fileName,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, jsx: ts.JsxEmit.ReactJSX },
  }).outputText
}

/** The cache entry of a source text: keyed by its contents (and the file name, which decides TSX). */
const entry = (dir, text, fileName) => join(dir, createHash('sha256').update(fileName).update('\0').update(text).digest('hex') + '.js')

/** The transpiled text, from the cache when it holds this exact source. */
export function transpileCached(dir, text, fileName) {
  if (dir) {
    const p = entry(dir, text, fileName)
    if (existsSync(p)) return readFileSync(p, 'utf8')
  }
  return transpile(text, fileName)
}

/** Transpiles each file into the cache. */
export function fillCache(dir, files) {
  mkdirSync(dir, { recursive: true })
  for (const f of files) {
    const text = readFileSync(f, 'utf8')
    const p = entry(dir, text, f)
    if (!existsSync(p)) writeFileSync(p, transpile(text, f))
  }
}
