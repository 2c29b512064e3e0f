import { NextResponse } from 'next/server'
import { supabaseAdmin } from '@/lib/supabase/admin'
import { createClient } from '@/utils/supabase/server'

// Correct: check the caller with the cookie client, then use the service client for admin work.
export async function POST(request: Request) {
  const supabase = await createClient()
  const { data: { user } } = await supabase.auth.getUser()
  if (!user) return NextResponse.json({ error: 'unauthorized' }, { status: 401 })
  const { email } = await request.json()
  const { data, error } = await supabaseAdmin.auth.admin.inviteUserByEmail(email)
  if (error) return NextResponse.json({ error: error.message }, { status: 400 })
  await supabaseAdmin.from('audit_log').insert({ actor: user.id, action: 'invite', target: data.user.id }) // bypasses RLS: rlscope's hover says "as service_role: bypasses RLS"
  return NextResponse.json({ ok: true })
}
