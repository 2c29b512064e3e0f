// signInAnonymously (supabase-js >= 2.40) stores a session like any sign-in.
import { createClient } from '@supabase/supabase-js'

export const columns = ['js-2.45', 'js-2.119', 'js-3.0.0-next']

export async function run() {
  const admin = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!, {
    auth: { persistSession: false },
  })
  await admin.auth.signInAnonymously()
  await admin.storage.from('s_anon_signin_after').list()
}
