// The library versions each column of the oracle runs: npm aliases pinned in package.json. `pinned` columns must
// match rlscope exactly; the others are reported only.
export const COLUMNS = [
  { id: 'js-2.39', pinned: true, js: 'sb-2.39', ssr: 'ssr-0.1', helpers: 'helpers-nextjs-0.10' },
  { id: 'js-2.45', pinned: true, js: 'sb-2.45', ssr: 'ssr-0.5', helpers: 'helpers-nextjs-0.10' },
  { id: 'js-2.119', pinned: true, js: 'sb-2.119', ssr: 'ssr-0.12', helpers: 'helpers-nextjs-0.10' },
  { id: 'js-3.0.0-next', pinned: false, js: 'sb-3.0.0-next', ssr: 'ssr-0.12', helpers: 'helpers-nextjs-0.10' },
]

/** The package a specifier of scenario code names, or null: `@supabase/supabase-js`, `npm:…@2`, `jsr:…`, esm.sh URLs. */
export function packageOf(specifier) {
  const m = /^(?:npm:|jsr:|https:\/\/esm\.sh\/)?(@supabase\/(?:supabase-js|ssr|auth-helpers-nextjs))(?:@[^/]*)?$/.exec(specifier)
  return m ? m[1] : null
}

export function aliasFor(column, pkg) {
  return { '@supabase/supabase-js': column.js, '@supabase/ssr': column.ssr, '@supabase/auth-helpers-nextjs': column.helpers }[pkg]
}
