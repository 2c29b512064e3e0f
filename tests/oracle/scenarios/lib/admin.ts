import { createClient } from '@supabase/supabase-js'

export function createAdminClient() {
  return createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  })
}

export const supabaseAdmin = createAdminClient()

export default function adminClient() {
  return createAdminClient()
}

export async function getAdmin() {
  return createAdminClient()
}
