// The documented pattern: the anon key plus the caller's token runs as that user.
import { createClient } from '@supabase/supabase-js'

export async function GET(request: Request) {
  const supabase = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_ANON_KEY!, {
    global: { headers: { Authorization: request.headers.get('Authorization')! } },
    auth: { persistSession: false },
  })
  await supabase.from('h_anon_user_select').select()
  await supabase.from('h_anon_user_insert').insert({ a: 1 }).select()
  await supabase.storage.from('h_anon_user_download').download('a.txt')
  await supabase.functions.invoke('h_anon_user_invoke')
  await supabase.auth.admin.getUserById('00000000-0000-4000-8000-000000009203')
  return new Response('ok')
}
