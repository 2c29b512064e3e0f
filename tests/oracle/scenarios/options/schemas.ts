// Schemas: `db.schema` and `.schema(…)` change the table's schema, not the role.
import { createClient } from '@supabase/supabase-js'

export async function run() {
  const admin = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!, {
    db: { schema: 'api' },
  })
  await admin.from('o_dbschema_select').select()
  await admin.schema('private').from('o_schema_select').select()
  await admin.schema('private').rpc('o_schema_rpc')
  const anon = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_ANON_KEY!)
  await anon.schema('public').from('o_schema_anon_upsert').upsert({ id: 1 }).select()
}
