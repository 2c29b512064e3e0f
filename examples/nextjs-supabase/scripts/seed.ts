import { createClient } from '@supabase/supabase-js'

// BUG (hardcoded-service-key): the key is in the repository (this one is a fake for the example).
const supabase = createClient(
  'http://127.0.0.1:54321',
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.ZXhhbXBsZS1zaWduYXR1cmUtbm90LWEtcmVhbC1rZXk',
)

await supabase.from('posts').insert([{ title: 'Hello' }, { title: 'World' }])
