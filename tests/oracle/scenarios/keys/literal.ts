// Keys written into the source (fake JWTs signed with a made-up secret; see harness/keys.mjs).
import { createClient } from '@supabase/supabase-js'

export async function run() {
  const admin = createClient(
    process.env.SUPABASE_URL!,
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1vcmFjbGUiLCJyZWYiOiJvcmFjbGUiLCJyb2xlIjoic2VydmljZV9yb2xlIiwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjQxMDI0NDQ4MDB9.NsLDyZBVX7VTMN2Sivfnv2syifFUngda_A6aDNnYDVg',
  )
  await admin.from('k_lit_svc_select').select()
  await admin.auth.admin.getUserById('00000000-0000-4000-8000-000000009209')

  const anon = createClient(
    process.env.SUPABASE_URL!,
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1vcmFjbGUiLCJyZWYiOiJvcmFjbGUiLCJyb2xlIjoiYW5vbiIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjo0MTAyNDQ0ODAwfQ.TMn1Lhad3wUlwzkrthk2Kh-6WTz3FRRMCKYtylp7d1U',
  )
  await anon.from('k_lit_anon_select').select()
}
