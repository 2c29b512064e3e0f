// A cookie adapter that never returns a cookie: no session can replace the service key.
import { createServerClient } from '@supabase/ssr'

export const variants = ['no-cookie', 'session-cookie']

export async function run() {
  const supabase = createServerClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!, {
    cookies: {
      get() {
        return undefined
      },
      set() {},
      remove() {},
    },
  })
  await supabase.from('c_never_select').select()
  await supabase.storage.from('c_never_list').list()
}
