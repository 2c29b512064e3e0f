// Clients reached through factories, imports (relative, tsconfig alias, index re-exports, default), a class
// field, a key passed as an argument, destructuring, an async factory, and CommonJS.
import { createRequire } from 'node:module'
import adminClient, { createAdminClient, getAdmin } from '../lib/admin'
import { supabaseAdmin } from '@/lib/admin'
import { anonClient, createAdminClient as viaIndex } from '../lib'
import { makeClient } from '../lib/anon'
import { OrdersRepo } from '../lib/repo'

const require = createRequire(import.meta.url)
const { admin: legacyAdmin } = require('../lib/legacy.cjs')

export async function run() {
  await createAdminClient().from('w_factory_select').select()
  const admin = createAdminClient()
  await admin.rpc('w_factory_rpc')
  await supabaseAdmin.from('w_alias_select').select()
  await viaIndex().storage.from('w_index_list').list()
  await anonClient.from('w_index_anon_select').select()
  await adminClient().from('w_default_select').select()
  await makeClient(process.env.SUPABASE_SERVICE_ROLE_KEY!).from('w_param_service').select()
  await makeClient(process.env.SUPABASE_ANON_KEY!).from('w_param_anon').select()
  const repo = new OrdersRepo()
  await repo.all()
  await repo.archive(1)
  const { storage, functions } = admin
  await storage.from('w_destructured_upload').upload('a.txt', 'x')
  await functions.invoke('w_destructured_invoke')
  const awaited = await getAdmin()
  await awaited.from('w_async_select').select()
  await awaited.auth.admin.getUserById('00000000-0000-4000-8000-000000009210')
  await legacyAdmin.from('w_cjs_select').select()
}
