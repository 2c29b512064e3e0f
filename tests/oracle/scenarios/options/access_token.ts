// The accessToken option (third-party auth): honoured from supabase-js 2.45 on; 2.39 ignores it and sends the key.
import { createClient } from '@supabase/supabase-js'

export const versionNotes = {
  o_at_anon_select: { 'js-2.39': ['anon'] },
  o_at_anon_invoke: { 'js-2.39': ['anon'] },
  o_at_service_select: { 'js-2.39': ['service_role'] },
  o_at_service_upload: { 'js-2.39': ['service_role'] },
}

export async function run() {
  const userJwt = globalThis.__oracle.request.headers.get('Authorization')!.slice(7)
  const supabase = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_ANON_KEY!, {
    accessToken: async () => userJwt,
  })
  await supabase.from('o_at_anon_select').select()
  await supabase.functions.invoke('o_at_anon_invoke')

  const admin = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!, {
    accessToken: async () => userJwt,
  })
  await admin.from('o_at_service_select').select()
  await admin.storage.from('o_at_service_upload').upload('a.txt', 'x')
}
