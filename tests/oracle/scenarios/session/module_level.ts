// A module-level service client that signs users in: a request in another function runs as service_role before
// the first sign-in and as the last signed-in user after it.
import { createClient } from '@supabase/supabase-js'

const admin = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!, {
  auth: { persistSession: false },
})

export async function login(email: string, password: string) {
  return admin.auth.signInWithPassword({ email, password })
}

export async function listOrders() {
  return admin.from('s_module_orders').select()
}

export async function run() {
  await listOrders()
  await login('user@example.test', 'pw')
  await listOrders()
}
