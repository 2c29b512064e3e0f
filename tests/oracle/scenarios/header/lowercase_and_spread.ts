// The header in an options object spread into the client options; a lower-case `authorization` name.
import { createClient } from '@supabase/supabase-js'

export async function POST(req: Request) {
  const token = req.headers.get('authorization')!
  const options = { global: { headers: { authorization: token } } }
  const supabase = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!, {
    ...options,
    auth: { persistSession: false },
  })
  await supabase.from('h_spread_select').select()
  await supabase.rpc('h_spread_rpc')
  return new Response('ok')
}
