// The getAll/setAll cookie adapter (@supabase/ssr >= 0.4), with the service key and persistSession: false, which
// createServerClient overrides.
import { createServerClient } from '@supabase/ssr'
import { cookies } from 'next/headers'

export const variants = ['no-cookie', 'session-cookie']
export const columns = ['js-2.45', 'js-2.119', 'js-3.0.0-next']

export async function run() {
  const cookieStore = await cookies()
  const supabase = createServerClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!, {
    cookies: {
      getAll() {
        return cookieStore.getAll()
      },
      setAll(cookiesToSet) {
        cookiesToSet.forEach(({ name, value }) => cookieStore.set(name, value))
      },
    },
    auth: { persistSession: false },
  })
  await supabase.from('c_getall_select').select()
  await supabase.functions.invoke('c_getall_invoke')
}
