import { NextResponse } from 'next/server'
import { supabaseAdmin } from '@/lib/supabase/admin'

export async function POST(request: Request) {
  const { email, password, name } = await request.json()
  // BUG (session-method-on-service-client, warning): with email confirmation off, signUp stores a session.
  const { data, error } = await supabaseAdmin.auth.signUp({ email, password, options: { data: { name } } })
  if (error) return NextResponse.json({ error: error.message }, { status: 400 })
  return NextResponse.json({ user: data.user })
}
