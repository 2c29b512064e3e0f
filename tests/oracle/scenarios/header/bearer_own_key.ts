// `Bearer ${serviceKey}` as the header is the same key: still service_role.
import { createClient } from '@supabase/supabase-js'

export async function run() {
  const serviceKey = process.env.SUPABASE_SERVICE_ROLE_KEY!
  const admin = createClient(process.env.SUPABASE_URL!, serviceKey, {
    global: { headers: { Authorization: `Bearer ${serviceKey}` } },
  })
  await admin.from('h_bearer_own_select').select()
  await admin.storage.from('h_bearer_own_list').list()
  await admin.auth.admin.getUserById('00000000-0000-4000-8000-000000009204')
}
