// The anon key: anon everywhere, and auth.admin is refused.
import { createClient } from '@supabase/supabase-js'

const supabase = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!)

export async function run() {
  await supabase.from('k_anon_select').select('id, name').eq('id', 1)
  await supabase.from('k_anon_insert').insert({ id: 1 })
  await supabase.rpc('k_anon_rpc')
  await supabase.storage.from('k_anon_upload').upload('a.txt', 'hello')
  await supabase.functions.invoke('k_anon_invoke')
  await supabase.auth.admin.getUserById('00000000-0000-4000-8000-000000009208')
}
