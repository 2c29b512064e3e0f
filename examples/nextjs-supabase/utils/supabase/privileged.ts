import { createServerClient } from '@supabase/ssr'
import { cookies } from 'next/headers'

const cookieOptions = { sameSite: 'lax' as const }

// BUG (ssr-client-service-key): a cookie client with the service-role key. Signed-in callers run as
// themselves (RLS applies); anonymous callers bypass RLS.
export async function createPrivilegedClient() {
  const cookieStore = await cookies()
  const serviceKey = process.env.SUPABASE_SERVICE_ROLE_KEY!
  return createServerClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, serviceKey, {
    cookieOptions,
    cookies: {
      getAll: () => cookieStore.getAll(),
      setAll: (list) => list.forEach(({ name, value, options }) => cookieStore.set(name, value, options)),
    },
  })
}
