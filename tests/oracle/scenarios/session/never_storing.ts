// Auth calls that store no session: the service key stays.
import { createClient } from '@supabase/supabase-js'

export async function run() {
  const admin = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!, {
    auth: { persistSession: false },
  })
  await admin.auth.signInWithOtp({ email: 'user@example.test' })
  await admin.auth.resetPasswordForEmail('user@example.test')
  await admin.auth.getUser('a-user-jwt')
  await admin.from('s_never_select').select()
  await admin.storage.from('s_never_list').list()
  await admin.auth.admin.getUserById('00000000-0000-4000-8000-000000009205')
}
