// createServerClient with the anon key: anon without a session cookie, the user with one.
import { createServerClient } from '@supabase/ssr'
import { cookies } from 'next/headers'

export const variants = ['no-cookie', 'session-cookie']

export async function run() {
  const cookieStore = await cookies()
  const supabase = createServerClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!, {
    cookies: {
      get(name: string) {
        return cookieStore.get(name)?.value
      },
      set() {},
      remove() {},
    },
  })
  await supabase.from('c_anon_select').select()
  await supabase.rpc('c_anon_rpc')
  await supabase.storage.from('c_anon_list').list()
}
