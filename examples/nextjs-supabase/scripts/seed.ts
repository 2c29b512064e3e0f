import { createClient } from '@supabase/supabase-js'

// BUG (hardcoded-service-key): the key is in the repository (this one is a fake for the example).
const supabase = createClient(
  'https://abcdefghijklmnopqrst.supabase.co',
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6ImFiY2RlZmdoaWprbG1ub3BxcnN0Iiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.ZXhhbXBsZS1zaWduYXR1cmUtbm90LWEtcmVhbC1rZXk',
)

await supabase.from('posts').insert([{ title: 'Hello' }, { title: 'World' }])
