// Fake keys and tokens for the local fake Supabase: HS256 JWTs signed with a made-up secret, and made-up
// `sb_secret_` / `sb_publishable_` keys. None of them is valid anywhere else.
import { createHmac } from 'node:crypto'

const SECRET = 'rlscope-oracle-fake-jwt-secret-not-a-real-one'
const b64url = (s) => Buffer.from(s).toString('base64url')

export function sign(payload) {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const body = b64url(JSON.stringify(payload))
  const sig = createHmac('sha256', SECRET).update(`${head}.${body}`).digest('base64url')
  return `${head}.${body}.${sig}`
}

const far = 4102444800 // 2100-01-01
export const USER_ID = '00000000-0000-4000-8000-000000000001'
export const SERVICE_KEY = sign({ iss: 'supabase-oracle', ref: 'oracle', role: 'service_role', iat: 1700000000, exp: far })
export const ANON_KEY = sign({ iss: 'supabase-oracle', ref: 'oracle', role: 'anon', iat: 1700000000, exp: far })
export const SECRET_KEY = 'sb_secret_oracleFakeSecretKey0000000000'
export const PUBLISHABLE_KEY = 'sb_publishable_oracleFakePublishableKey00'
export const userToken = (sub = USER_ID) =>
  sign({ iss: 'supabase-oracle', aud: 'authenticated', sub, role: 'authenticated', email: 'user@example.test', exp: far, iat: 1700000000, session_id: 'sess-1' })

/** The Postgres role a request gets from its headers, as the Supabase API gateway decides it. */
export function wireRole(headers) {
  const auth = headers['authorization']
  const fromToken = (t) => {
    if (t.startsWith('sb_secret_')) return 'service_role'
    if (t.startsWith('sb_publishable_')) return 'anon'
    const parts = t.split('.')
    if (parts.length !== 3) return 'invalid'
    try {
      return JSON.parse(Buffer.from(parts[1], 'base64url').toString()).role ?? 'invalid'
    } catch {
      return 'invalid'
    }
  }
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth)
    return m ? fromToken(m[1].trim()) : 'invalid'
  }
  const apikey = headers['apikey']
  return apikey ? fromToken(apikey) : 'none'
}
