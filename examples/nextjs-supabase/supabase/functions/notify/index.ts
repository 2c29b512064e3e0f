import { createClient } from 'npm:@supabase/supabase-js@2'

const corsHeaders = { 'Access-Control-Allow-Origin': '*' }

Deno.serve(async (req) => {
  const options = {
    // BUG (auth-header-overrides-service-key): the caller's JWT replaces the service key on every request.
    global: { headers: { Authorization: req.headers.get('Authorization')! } },
  }
  const supabase = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')!, options)
  const { data: subscribers } = await supabase.from('subscribers').select('email')
  return new Response(JSON.stringify(subscribers), { headers: { ...corsHeaders, 'Content-Type': 'application/json' } })
})
