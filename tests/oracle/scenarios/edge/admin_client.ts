// Edge Function with a service client (jsr: import) for admin work, and a second client acting as the user.
import { createClient } from 'jsr:@supabase/supabase-js@2'

Deno.serve(async (req) => {
  const admin = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')!)
  await admin.from('e_admin_select').select()
  await admin.auth.admin.listUsers({ page: 9105 })
  const authHeader = req.headers.get('Authorization')!
  const asUser = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_ANON_KEY')!, {
    global: { headers: { Authorization: authHeader } },
  })
  await asUser.rpc('e_asuser_rpc')
  return new Response('ok')
})
