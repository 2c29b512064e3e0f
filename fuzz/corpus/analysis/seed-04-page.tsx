2xÈÿimport { createClient } from '@/utils/supabase/server'
import { createPrivilegedClient } from '@/utils/supabase/privileged'

// Correct: a server component reading as the signed-in user.
export default async function Dashboard() {
  const supabase = await createClient()
  const { data: posts } = await supabase.from('posts').select('id, title')
  const privileged = await createPrivilegedClient()
  const { count } = await privileged.from('posts').select('*', { count: 'exact', head: true })
  return (
    <main>
      <h1>{count} posts in total</h1>
      <ul>{posts?.map((p) => <li key={p.id}>{p.title}</li>)}</ul>
    </main>
  )
}
ÿÿÿÿÿ