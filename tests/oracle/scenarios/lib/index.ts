export * from './admin'
export { supabase as anonClient } from './anon'
