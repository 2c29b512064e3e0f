2xÈÿÿÿ-- Re-runnable policies, written the way many projects do: inside DO blocks.

-- Correct: a policy for authenticated, created only if missing.
do $$
begin
  if not exists (
    select 1 from pg_policies
    where schemaname = 'public' and tablename = 'posts' and policyname = 'Authors can delete their posts'
  ) then
    create policy "Authors can delete their posts"
    on public.posts for delete
    to authenticated
    using ((select auth.uid()) = author_id);
  end if;
end
$$;

-- BUG (service-role-policy): a policy per table, built as a string; service_role never evaluates them.
do $$
declare
  t text;
begin
  foreach t in array array['profiles', 'posts', 'subscribers', 'audit_log'] loop
    execute format('drop policy if exists %I on public.%I', t || '_service_role_all', t);
    execute format(
      'create policy %I on public.%I for all to service_role using (true) with check (true)',
      t || '_service_role_all',
      t
    );
  end loop;
end
$$;
ÿÿÿ