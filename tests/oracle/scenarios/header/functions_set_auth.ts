// functions.setAuth(token) changes only what functions.invoke sends.
import { createClient } from '@supabase/supabase-js'

export async function POST(req: Request) {
  const admin = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!)
  const token = req.headers.get('Authorization')!.replace('Bearer ', '')
  admin.functions.setAuth(token)
  await admin.functions.invoke('h_setauth_invoke')
  await admin.from('h_setauth_select').select()
  return new Response('ok')
}
