'use server'

import { createClient } from '@/utils/supabase/server'

// Correct: profiles have an UPDATE policy for the owner and a SELECT policy, so `.eq('id', …)` finds the row.
// rlscope's hover: as authenticated, UPDATE: allowed by "Users can update their own profile" when
// `(select auth.uid()) = id`.
export async function rename(userId: string, fullName: string) {
  const supabase = await createClient()
  return supabase.from('profiles').update({ full_name: fullName }).eq('id', userId)
}

// BUG (request-denied-by-rls): preferences has an UPDATE policy but no SELECT policy; the filter reads `user_id`,
// which needs one, so this update succeeds and changes nothing. rlscope reports: no SELECT policy for authenticated
// (a filter reads columns, which needs a SELECT policy), so it changes nothing (0 rows, no error).
export async function setTheme(userId: string, theme: string) {
  const supabase = await createClient()
  return supabase.from('preferences').update({ theme }).eq('user_id', userId)
}
