import { createBrowserClient } from '@supabase/ssr'

// Correct: the browser client gets the anon key.
export function createClient() {
  return createBrowserClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!)
}
