// @supabase/auth-helpers-nextjs factories: the anon key by default; given the service key, the role depends on
// the session cookie.
import { createRouteHandlerClient, createServerComponentClient } from '@supabase/auth-helpers-nextjs'
import { cookies } from 'next/headers'

export const variants = ['no-cookie', 'session-cookie']

export async function run() {
  const supabase = createRouteHandlerClient({ cookies })
  await supabase.from('a_route_default_select').select()
  await supabase.functions.invoke('a_route_default_invoke')

  const admin = createRouteHandlerClient({ cookies }, { supabaseKey: process.env.SUPABASE_SERVICE_ROLE_KEY })
  await admin.from('a_route_service_select').select()
  await admin.storage.from('a_route_service_list').list()

  const component = createServerComponentClient({ cookies })
  await component.from('a_component_select').select()
}
