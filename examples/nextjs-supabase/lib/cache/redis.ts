import { createClient } from 'redis'

// Not Supabase: a createClient from another library is never a finding.
export const cache = createClient({ url: process.env.REDIS_URL, password: process.env.REDIS_SECRET_KEY })
