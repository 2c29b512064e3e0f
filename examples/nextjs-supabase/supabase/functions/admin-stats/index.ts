import { createClient } from 'jsr:@supabase/supabase-js@2'

// Correct: a service client whose explicit header is its own key, and getUser(jwt) to check the caller.
Deno.serve(async (req) => {
  const serviceKey = Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')!
  const admin = createClient(Deno.env.get('SUPABASE_URL')!, serviceKey, {
    global: { headers: { Authorization: `Bearer ${serviceKey}` } },
  })
  const jwt = req.headers.get('Authorization')!.replace('Bearer ', '')
  const { data: { user } } = await admin.auth.getUser(jwt)
  if (!user) return new Response('unauthorized', { status: 401 })
  const { count } = await admin.from('profiles').select('*', { count: 'exact', head: true })
  return Response.json({ count })
})
