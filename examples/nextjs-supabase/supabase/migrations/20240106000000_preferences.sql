-- Per-user preferences, written by the settings page.

create table public.preferences (
  user_id uuid primary key references auth.users (id) on delete cascade,
  theme text not null default 'light'
);

alter table public.preferences enable row level security;

-- Each user creates and changes their own row. There is no SELECT policy: see app/settings/actions.ts.
create policy "Users create their preferences"
on public.preferences for insert
to authenticated
with check ((select auth.uid()) = user_id);

create policy "Users change their preferences"
on public.preferences for update
to authenticated
using ((select auth.uid()) = user_id)
with check ((select auth.uid()) = user_id);
