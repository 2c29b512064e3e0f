import { createClient } from '@supabase/supabase-js'

export const supabase = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_ANON_KEY!)

export function makeClient(key: string) {
  return createClient(process.env.SUPABASE_URL!, key, { auth: { persistSession: false } })
}
