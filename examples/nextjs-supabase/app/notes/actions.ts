'use server'

import { createClient } from '@/utils/supabase/server'

// Correct: "Owners add notes" and "Owners read notes" let the signed-in owner insert and read the row back.
export async function addNote(ownerId: string, body: string) {
  const supabase = await createClient()
  return supabase.from('notes').insert({ owner_id: ownerId, body }).select()
}

// BUG (request-denied-by-rls): notes has no UPDATE policy, so as anon or as the signed-in user this update
// succeeds and changes nothing. Add one in a migration: for update to authenticated
// using ((select auth.uid()) = owner_id) with check ((select auth.uid()) = owner_id).
export async function editNote(id: number, body: string) {
  const supabase = await createClient()
  return supabase.from('notes').update({ body }).eq('id', id)
}
