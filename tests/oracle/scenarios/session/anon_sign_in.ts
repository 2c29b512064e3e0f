// An anon client that signs in: anon before, the user after.
import { createClient } from '@supabase/supabase-js'

export async function run() {
  const supabase = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_ANON_KEY!, {
    auth: { persistSession: false },
  })
  await supabase.from('s_anon_before').select()
  await supabase.auth.signInWithPassword({ email: 'user@example.test', password: 'pw' })
  await supabase.from('s_anon_after').select()
}
