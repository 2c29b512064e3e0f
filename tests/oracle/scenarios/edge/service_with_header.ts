// Edge Function (esm.sh import): the service key plus the caller's header runs as the caller, also for auth.admin.
import { createClient } from 'https://esm.sh/@supabase/supabase-js@2'

Deno.serve(async (req: Request) => {
  const supabase = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')!, {
    global: { headers: { Authorization: req.headers.get('Authorization')! } },
  })
  await supabase.from('e_svchdr_select').select()
  await supabase.functions.invoke('e_svchdr_invoke')
  await supabase.auth.admin.getUserById('00000000-0000-4000-8000-000000009201')
  return new Response('ok')
})
