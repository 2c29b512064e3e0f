// The new API keys: `sb_secret_…` is service-level, `sb_publishable_…` anon-level.
import { createClient } from '@supabase/supabase-js'

export async function run() {
  const secret = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SECRET_KEY!)
  await secret.from('k_secret_select').select()
  await secret.rpc('k_secret_rpc')
  await secret.storage.from('k_secret_list').list()
  await secret.functions.invoke('k_secret_invoke')
  await secret.auth.admin.listUsers({ page: 9102 })

  const pub = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_PUBLISHABLE_KEY!)
  await pub.from('k_pub_select').select()
  await pub.functions.invoke('k_pub_invoke')
}
