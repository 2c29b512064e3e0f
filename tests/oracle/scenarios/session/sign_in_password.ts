// signInWithPassword on a service-role client (persistSession: false): later requests in the same function send
// the user's token; auth.admin still sends the service key.
import { createClient } from '@supabase/supabase-js'

export async function run() {
  const admin = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!, {
    auth: { persistSession: false },
  })
  await admin.from('s_pw_before').select()
  await admin.auth.signInWithPassword({ email: 'user@example.test', password: 'pw' })
  await admin.from('s_pw_after_select').select()
  await admin.from('s_pw_after_insert').insert({ a: 1 })
  await admin.rpc('s_pw_after_rpc')
  await admin.storage.from('s_pw_after_upload').upload('a.txt', 'x')
  await admin.functions.invoke('s_pw_after_invoke')
  await admin.auth.admin.listUsers({ page: 9104 })
}
