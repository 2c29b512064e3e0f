import { createClient } from 'npm:@supabase/supabase-js@2'

// Correct: the documented Edge Function pattern — anon key plus the caller's JWT: runs as the caller.
Deno.serve(async (req) => {
  const supabase = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_ANON_KEY')!, {
    global: { headers: { Authorization: req.headers.get('Authorization')! } },
  })
  const { data } = await supabase.from('profiles').select('*').single()
  return Response.json(data)
})
