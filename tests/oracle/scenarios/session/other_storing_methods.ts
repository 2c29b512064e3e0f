// Other session-storing methods, each on its own service-role client.
import { createClient } from '@supabase/supabase-js'

const url = process.env.SUPABASE_URL!
const key = process.env.SUPABASE_SERVICE_ROLE_KEY!

export async function signUpThenQuery() {
  const a = createClient(url, key, { auth: { persistSession: false } })
  await a.auth.signUp({ email: 'new@example.test', password: 'pw' })
  await a.from('s_signup_after').select()
}

export async function verifyOtpThenQuery() {
  const b = createClient(url, key, { auth: { persistSession: false } })
  await b.auth.verifyOtp({ email: 'user@example.test', token: '123456', type: 'email' })
  await b.from('s_verify_after').select()
}

export async function refreshThenQuery() {
  const d = createClient(url, key, { auth: { persistSession: false } })
  await d.auth.refreshSession({ refresh_token: 'fake-refresh-token' })
  await d.from('s_refresh_after').select()
}

export async function idTokenThenQuery() {
  const e = createClient(url, key, { auth: { persistSession: false } })
  await e.auth.signInWithIdToken({ provider: 'google', token: 'fake-id-token' })
  await e.functions.invoke('s_idtoken_after')
}

export async function run() {
  await signUpThenQuery()
  await verifyOtpThenQuery()
  await refreshThenQuery()
  await idTokenThenQuery()
}
