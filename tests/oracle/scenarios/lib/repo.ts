import type { SupabaseClient } from '@supabase/supabase-js'
import { createAdminClient } from './admin'

export class OrdersRepo {
  private client: SupabaseClient

  constructor() {
    this.client = createAdminClient()
  }

  async all() {
    return this.client.from('w_class_orders').select('*')
  }

  async archive(id: number) {
    return this.client.from('w_class_archive').update({ archived: true }).eq('id', id)
  }
}
