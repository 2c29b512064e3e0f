2xÈÿ'use client'
import { useState } from 'react'
import { createClient } from '@supabase/supabase-js'

// BUG (service-key-in-browser): NEXT_PUBLIC_ variables are inlined into the browser bundle.
const supabase = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY!)

export function AdminPanel() {
  const [count, setCount] = useState(0)
  return <button onClick={async () => setCount((await supabase.from('users').select('*')).data?.length ?? 0)}>{count}</button>
}
ÿÿÿÿÿ