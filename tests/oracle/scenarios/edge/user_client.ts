// Edge Function (Deno) style: the documented per-request client, anon key + the caller's Authorization header.
import { createClient } from 'npm:@supabase/supabase-js@2'

Deno.serve(async (req: Request) => {
  const supabase = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_ANON_KEY')!, {
    global: { headers: { Authorization: req.headers.get('Authorization')! } },
  })
  const { data } = await supabase.from('e_user_select').select('*')
  await supabase.storage.from('e_user_upload').upload('a.txt', 'x')
  return new Response(JSON.stringify(data), { headers: { 'Content-Type': 'application/json' } })
})
