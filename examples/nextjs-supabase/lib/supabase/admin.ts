import 'server-only'
import { createClient } from '@supabase/supabase-js'

// The one service-role client of the app: module-level, shared by every request.
// Fine for queries and auth.admin.* — never for sign-ins (see app/api/login).
export const supabaseAdmin = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!, {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
})
