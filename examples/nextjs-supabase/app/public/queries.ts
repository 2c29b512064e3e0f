import { createClient } from '@supabase/supabase-js'

// Server-side reads and writes for visitors: the anon key and no session, so every request runs as anon.
const anon = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!)

// Correct: "Published posts are public" lets anon read published posts.
// rlscope's hover: SELECT: allowed by "Published posts are public" when `published or …`.
export async function publishedPosts() {
  return anon.from('posts').select('id, title')
}

// BUG (request-denied-by-rls): "Owners read notes" is for authenticated only, so as anon this select returns no
// rows and no error. rlscope reports: no SELECT policy for anon, so it returns no rows (no error).
export async function latestNotes() {
  return anon.from('notes').select('id, body')
}

// Correct: "Anyone can subscribe" lets anon insert an unconfirmed subscription; nothing is read back.
// rlscope's hover: INSERT: allowed by "Anyone can subscribe" when `confirmed = false`.
export async function subscribe(email: string) {
  return anon.from('subscribers').insert({ email })
}

// BUG (request-denied-by-rls): `.select()` reads the new row back, which needs a SELECT policy for anon as well;
// subscribers has none, so the insert fails. rlscope reports: insert returning rows as anon: no SELECT policy for
// anon (returning the rows needs a SELECT policy), so it fails with error 42501.
export async function subscribeAndShow(email: string) {
  return anon.from('subscribers').insert({ email }).select()
}

// BUG (request-denied-by-rls): notes has no INSERT policy for anon. rlscope reports: no INSERT policy for anon,
// so it fails with error 42501 (new row violates row-level security policy).
export async function leaveNote(ownerId: string, body: string) {
  return anon.from('notes').insert({ owner_id: ownerId, body })
}
