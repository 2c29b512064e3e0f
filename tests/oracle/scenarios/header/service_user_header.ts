// A service-role client given the caller's token as its Authorization header: the user's token is what is sent,
// to PostgREST, storage, functions and auth.admin alike.
import { createClient } from '@supabase/supabase-js'

export async function POST(req: Request) {
  const supabase = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!, {
    global: { headers: { Authorization: req.headers.get('Authorization')! } },
  })
  await supabase.from('h_svc_user_select').select()
  await supabase.from('h_svc_user_update').update({ a: 1 }).eq('id', 1)
  await supabase.storage.from('h_svc_user_upload').upload('a.txt', 'x')
  await supabase.functions.invoke('h_svc_user_invoke')
  await supabase.auth.admin.listUsers({ page: 9103 })
  return new Response('ok')
}
