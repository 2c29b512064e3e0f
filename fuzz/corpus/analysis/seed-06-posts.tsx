2xÈÿ'use client'
import { createClient } from '@/utils/supabase/client'

// Correct: the browser client with the anon key.
export async function loadPosts() {
  const supabase = createClient()
  return supabase.from('posts').select('*')
}
ÿÿÿÿÿ