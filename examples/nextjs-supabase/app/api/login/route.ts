import { NextResponse } from 'next/server'
import { supabaseAdmin } from '@/lib/supabase/admin'

export async function POST(request: Request) {
  const { email, password } = await request.json()
  // BUG (session-method-on-service-client): stores the user's session in the shared service client.
  const { data, error } = await supabaseAdmin.auth.signInWithPassword({ email, password })
  if (error) return NextResponse.json({ error: error.message }, { status: 401 })
  // ...so this now runs as that user, and so do other users' requests.
  const { data: profile } = await supabaseAdmin.from('profiles').select('*').eq('id', data.user.id).single()
  return NextResponse.json({ session: data.session, profile })
}
