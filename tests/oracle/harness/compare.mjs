// Joins what each request sent on the wire with `rlscope roles --format json` at the same request site: the role
// of its Authorization header and, for database requests, the schema PostgREST was asked for.
//
// A site is tied to the wire by its name: the table, rpc function, bucket or Edge Function (unique across the
// scenarios), or for `auth.admin.*` the first string (or 4+ digit number) literal on the request's line, which the
// admin request carries in its path, query or body.

/** The wire records a site owns. */
function matcher(site, lineText) {
  const t = site.target
  switch (site.kind) {
    case 'db':
      return (r) => r.surface === 'rest' && r.path === `/rest/v1/${t}`
    case 'rpc':
      return (r) => r.surface === 'rest' && r.path === `/rest/v1/rpc/${t}`
    case 'functions':
      return (r) => r.surface === 'functions' && r.path === `/functions/v1/${t}`
    case 'storage':
      return (r) => r.surface === 'storage' && r.path.split('/').includes(t)
    case 'auth_admin': {
      const m = /'([^']+)'|"([^"]+)"|\b(\d{4,})\b/.exec(lineText.slice(lineText.indexOf(t)))
      const tag = m && (m[1] ?? m[2] ?? m[3])
      return (r) => r.surface === 'admin' && !!tag && (r.path + r.search + r.body).includes(tag)
    }
  }
  return () => false
}

/** A site's name for people and version notes: the target, or the admin tag. */
export function siteName(site, lineText) {
  if (site.kind !== 'auth_admin') return site.target
  const m = /'([^']+)'|"([^"]+)"|\b(\d{4,})\b/.exec(lineText.slice(lineText.indexOf(site.target)))
  return `${site.target}(${m ? (m[1] ?? m[2] ?? m[3]) : '?'})`
}

const sameSet = (a, b) => a.length === b.length && a.every((x) => b.includes(x))

/**
 * @param sites     rlscope's requests (`requests` of the JSON), restricted to the scenario files
 * @param lines     (file, line) => the source line's text
 * @param columns   per column: { column, pinned, records, runs, versionNotes }
 * @returns { rows: per site × column, unmatched: wire records no site claims, problems: strings }
 */
export function compare(sites, lines, columns) {
  const problems = []
  const named = sites.map((s) => ({ ...s, name: siteName(s, lines(s.file, s.line)), match: matcher(s, lines(s.file, s.line)) }))
  const seen = new Map()
  for (const s of named) {
    const key = `${s.kind}:${s.name}`
    if (seen.has(key)) problems.push(`two request sites share the name ${key}: ${seen.get(key)} and ${s.file}:${s.line}`)
    seen.set(key, `${s.file}:${s.line}`)
  }
  const rows = []
  const unmatched = []
  for (const col of columns) {
    const claimed = new Set()
    const skippedFiles = new Set(col.runs.filter((r) => r.skipped).map((r) => r.file))
    for (const s of named) {
      const recs = col.records.filter((r) => s.match(r))
      recs.forEach((r) => claimed.add(r))
      const wire = [...new Set(recs.map((r) => r.role))].sort()
      const note = col.versionNotes?.[s.name]?.[col.column]
      const expected = note ? [...note].sort() : s.db_roles ? [...s.db_roles].sort() : null
      // a database request's schema: rlscope's `schema` (null: the client's default, `public`) against the
      // Accept-/Content-Profile header PostgREST received
      const schema = s.kind === 'db' || s.kind === 'rpc' ? { expected: s.schema ?? 'public', wire: [...new Set(recs.map((r) => r.profile ?? 'public'))].sort() } : null
      const schemaOk = !schema || sameSet(schema.wire, [schema.expected])
      let status
      if (recs.length === 0) status = skippedFiles.has(s.file) ? 'skipped' : 'not-run'
      else if (!expected) status = 'mismatch'
      else status = sameSet(wire, expected) && schemaOk ? 'match' : 'mismatch'
      rows.push({ column: col.column, pinned: col.pinned, site: s.name, kind: s.kind, file: s.file, line: s.line, rlscope: s.role, expected, wire, status, note: !!note, ...(schema && recs.length ? { schema } : {}) })
    }
    for (const r of col.records) if (!claimed.has(r)) unmatched.push({ column: col.column, pinned: col.pinned, ...r })
  }
  return { rows, unmatched, problems }
}

/** Counts per column. */
export function summarize(result, columns) {
  return columns.map((c) => {
    const rows = result.rows.filter((r) => r.column === c.column)
    const count = (st) => rows.filter((r) => r.status === st).length
    return {
      column: c.column,
      pinned: c.pinned,
      versions: c.versions,
      sites: rows.length,
      match: count('match'),
      mismatch: count('mismatch'),
      notRun: count('not-run'),
      skipped: count('skipped'),
      versionNotes: rows.filter((r) => r.note && r.status === 'match').length,
      unmatched: result.unmatched.filter((u) => u.column === c.column).length,
    }
  })
}
