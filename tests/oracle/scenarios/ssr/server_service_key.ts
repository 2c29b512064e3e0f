// @supabase/ssr's createServerClient with the service key: service_role without a session cookie, the user with one.
// auth.admin always sends the key.
import { createServerClient } from '@supabase/ssr'
import { cookies } from 'next/headers'

export const variants = ['no-cookie', 'session-cookie']

export async function run() {
  const cookieStore = await cookies()
  const supabase = createServerClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!, {
    cookies: {
      get: (name: string) => cookieStore.get(name)?.value,
      set: () => {},
      remove: () => {},
    },
  })
  await supabase.from('c_svc_select').select()
  await supabase.from('c_svc_delete').delete().eq('id', 1)
  await supabase.storage.from('c_svc_upload').upload('a.txt', 'x')
  await supabase.functions.invoke('c_svc_invoke')
  await supabase.auth.admin.getUserById('00000000-0000-4000-8000-000000009202')
}
