// A client built with the service role key from the environment: every surface runs as service_role.
import { createClient } from '@supabase/supabase-js'

export async function run() {
  const admin = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!, {
    auth: { persistSession: false, autoRefreshToken: false },
  })
  await admin.from('k_svc_select').select('*')
  await admin.from('k_svc_insert').insert({ id: 1 })
  await admin.from('k_svc_insert_ret').insert({ id: 1 }).select()
  await admin.from('k_svc_update').update({ done: true }).eq('id', 1)
  await admin.from('k_svc_delete').delete().eq('id', 1)
  await admin.from('k_svc_upsert').upsert({ id: 1 })
  await admin.rpc('k_svc_rpc', { x: 1 })
  await admin.storage.from('k_svc_upload').upload('a.txt', 'hello')
  await admin.storage.from('k_svc_download').download('a.txt')
  await admin.storage.from('k_svc_list').list()
  await admin.storage.from('k_svc_remove').remove(['a.txt'])
  await admin.storage.from('k_svc_sign').createSignedUrl('a.txt', 60)
  await admin.functions.invoke('k_svc_invoke', { body: { x: 1 } })
  await admin.auth.admin.listUsers({ page: 9101 })
  await admin.auth.admin.getUserById('00000000-0000-4000-8000-000000009206')
  await admin.auth.admin.createUser({ email: 'k_svc_adm_create@example.test' })
  await admin.auth.admin.deleteUser('00000000-0000-4000-8000-000000009207')
}
